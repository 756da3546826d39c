// The seam between the kubelet and what runs "inside" a container. The kubelet starts a process when a
// container starts and learns from it when (and with which exit code) it ends; it sends SIGTERM on graceful
// stop and SIGKILL when the grace period runs out. Until images get real entrypoints (the container behaviour
// work), the default runtime keeps main containers and sidecars running until they are stopped, lets regular
// init containers finish successfully, and exits 0 on SIGTERM. Tests plug in scripted processes here.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { HttpRequest, HttpResponse } from '../../containers/http.js';
import type { ImageInfo } from '../images/catalog.js';
import type { ConfigLookup, NodeObjects } from '../pod/config-refs.js';
import type { ClusterLookup } from './network.js';
import type { Random } from '../random.js';
import { draw, type TimingProfile } from '../timing.js';

export interface ProcessExit {
  code: number;
  /** Defaults to `Completed` for 0 and `Error` otherwise (containerd's convention); e.g. `OOMKilled`. */
  reason?: string;
  message?: string;
}

export interface ProcessHost {
  /** Current cluster time. */
  now(): number;
  /** Runs `fn` after `ms` of cluster time, through the kubelet's shared timers; cancelled when the container dies. */
  after(ms: number, fn: () => void): { cancel(): void };
  /** The process ended on its own or in answer to SIGTERM. Later calls are ignored. */
  exit(e: ProcessExit): void;
  random: Random;
  timing: TimingProfile;
}

export interface ContainerProcess {
  /** SIGTERM. A process that ignores it is killed when the grace period ends. */
  terminate(): void;
  /** SIGKILL: the kubelet records exit code 137 itself; nothing the process does afterwards counts. */
  kill?(): void;
  /** What the kubelet's prober can reach inside the container; a process without it passes every probe. */
  probe?: ProbeTarget;
}

/** The three ways a probe looks into a container. */
export interface ProbeTarget {
  /** Runs argv in the container; resolves with its exit code and combined output. */
  exec(argv: string[]): Promise<{ code: number; output: string }>;
  /** Asks the pod's server on `port`; undefined when nothing listens there (connection refused). */
  http(port: number, req: HttpRequest): Promise<HttpResponse | undefined>;
  /** Something in the pod listens on `port`. */
  listening(port: number): boolean;
}

export type ContainerRole = 'init' | 'sidecar' | 'main';

export interface ContainerStart {
  pod: Pod;
  container: Container;
  role: ContainerRole;
  /** 0 for the first instance, then 1, 2, ... as the container restarts. */
  restartCount: number;
  image: ImageInfo;
  /** `containerd://<64 hex>` */
  containerID: string;
  /** The sandbox's IP, known before the pod's status says so. */
  podIP?: string;
  hostIP?: string;
  /** The pod as the kubelet last saw it (labels and annotations for the downward API change at run time). */
  currentPod?: () => Pod;
  /** ConfigMaps and Secrets for env and projected volumes. */
  lookupConfig?: ConfigLookup;
  /** Services and pods, for name resolution inside the container. */
  cluster?: ClusterLookup;
  /** Claims (their bound volumes) and services (the service-link variables) from the kubelet's caches. */
  objects?: NodeObjects;
}

export interface ContainerRuntime {
  start(start: ContainerStart, host: ProcessHost): ContainerProcess;
}

/** Behaviour until images describe their entrypoints. */
export const defaultRuntime: ContainerRuntime = {
  start(start, host) {
    if (start.role === 'init') {
      const done = host.after(draw(host.random, host.timing.initRun), () => host.exit({ code: 0 }));
      return {
        terminate: () => {
          done.cancel();
          host.exit({ code: 0 });
        },
      };
    }
    return {
      terminate: () => {
        host.after(draw(host.random, host.timing.sigtermExit), () => host.exit({ code: 0 }));
      },
    };
  },
};
