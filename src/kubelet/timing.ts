// How long the simulated node takes for each step of a pod's life. `realistic` is tuned so `kubectl get pods -w`
// shows the same sequence, at about the same pace, as a small real cluster; `instant` removes every artificial
// delay (each step lands on the next tick) for tests and benchmarks. Heartbeats keep their real periods in
// both: they are not delays a user waits for.
import type { Random } from './random.js';

/** Inclusive range in milliseconds; a jittered value is drawn from it each time. */
export type Range = readonly [min: number, max: number];

export interface TimingProfile {
  name: 'realistic' | 'instant';
  /** From seeing a newly bound pod to the kubelet's first status write. */
  firstSync: Range;
  /** Creating the sandbox and wiring its network. */
  sandbox: Range;
  /** Pulling an image that is not on the node yet. */
  pull: Range;
  /** Pulling an image that is already there (pull policy Always): just a manifest check. */
  pullCached: Range;
  /** A pull that ends in an error (tag or repository missing). */
  pullFailure: Range;
  /** Creating and starting one container once its image is present. */
  start: Range;
  /** How long until the kubelet notices a container started or died (PLEG relist). */
  relist: Range;
  /** Added after a backoff window ends before the retry happens (sync latency). */
  backoffJitter: Range;
  /** A default process exiting after SIGTERM. */
  sigtermExit: Range;
  /** A default regular init container running to completion. */
  initRun: Range;
  /** From all containers stopped to the final status write (sandbox and volumes torn down). */
  cleanup: Range;
  /** Node lease renewal period. */
  leaseRenewMs: number;
  /** How often node status is recomputed. */
  nodeStatusUpdateMs: number;
  /** Node status is re-posted at least this often even when unchanged. */
  nodeStatusReportMs: number;
}

const heartbeats = { leaseRenewMs: 10_000, nodeStatusUpdateMs: 10_000, nodeStatusReportMs: 300_000 };

export const REALISTIC: TimingProfile = {
  name: 'realistic',
  firstSync: [50, 300],
  sandbox: [300, 600],
  pull: [1000, 2000],
  pullCached: [300, 800],
  pullFailure: [400, 1200],
  start: [150, 400],
  relist: [200, 900],
  backoffJitter: [0, 2000],
  sigtermExit: [50, 300],
  initRun: [500, 1500],
  cleanup: [300, 900],
  ...heartbeats,
};

const zero: Range = [0, 0];

export const INSTANT: TimingProfile = {
  name: 'instant',
  firstSync: zero,
  sandbox: zero,
  pull: zero,
  pullCached: zero,
  pullFailure: zero,
  start: zero,
  relist: zero,
  backoffJitter: zero,
  sigtermExit: zero,
  initRun: zero,
  cleanup: zero,
  ...heartbeats,
};

export function timingProfile(name: 'realistic' | 'instant' | TimingProfile | undefined): TimingProfile {
  if (typeof name === 'object') return name;
  return name === 'instant' ? INSTANT : REALISTIC;
}

export function draw(random: Random, range: Range): number {
  return random.between(range[0], range[1]);
}
