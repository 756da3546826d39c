// What the simulated runtime knows about each container of a pod: its current instance (running or exited),
// the one before it (the next status's lastState), and why the last attempt to (re)start it did not happen
// (the kubelet's reason cache, shown as state.waiting).
import type { Container } from 'kubernetes-types/core/v1.js';
import type { ImageInfo } from '../images/catalog.js';
import type { ContainerProcess, ContainerRole } from '../runtime/process.js';

export interface Termination {
  exitCode: number;
  reason: string;
  message?: string;
}

export interface Instance {
  /** `containerd://<64 hex>` */
  id: string;
  /** The restartCount this instance reports. */
  attempt: number;
  image: ImageInfo;
  startedAt: number;
  finishedAt?: number;
  termination?: Termination;
  process?: ContainerProcess;
  /** Timers the process armed; cancelled when it dies. */
  timers: Set<{ cancel(): void }>;
  /** SIGTERM sent. */
  stopping?: boolean;
  /** False until the startup probe passes; undefined without one. */
  started?: boolean;
  /** The readiness probe's verdict; undefined without one. */
  ready?: boolean;
  prober?: { stop(): void };
  /** Killed for failing its liveness or startup probe: restarted unless the policy is Never. */
  probeKilled?: boolean;
}

export interface ContainerState {
  name: string;
  spec: Container;
  role: ContainerRole;
  current?: Instance;
  previous?: Instance;
  waiting?: { reason: string; message?: string };
}

export function isRunning(c: ContainerState): boolean {
  return !!c.current && c.current.finishedAt === undefined;
}

export function hasExited(c: ContainerState): boolean {
  return !!c.current && c.current.finishedAt !== undefined;
}

export function exitCode(c: ContainerState): number | undefined {
  return c.current?.termination?.exitCode;
}
