// The READY, STATUS and RESTARTS cells of `kubectl get pods`, computed as kube-apiserver's pod printer does.
// Controllers, the dashboard and tests use the same function so every view of a pod agrees.
import { humanDuration } from '../printing.js';

export interface PodStatusCells {
  /** `<ready>/<total>` */
  ready: string;
  /** The STATUS column: phase, a container reason, `Init:1/2`, `Terminating`, ... */
  status: string;
  /** `0`, `3`, or `5 (2m9s ago)` */
  restarts: string;
  readyContainers: number;
  totalContainers: number;
  restartCount: number;
}

function time(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || !ts) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

function lastFinishedAt(cs: any): number | undefined {
  return time(cs?.lastState?.terminated?.finishedAt);
}

function conditionTrue(pod: any, type: string): boolean {
  const conds = Array.isArray(pod?.status?.conditions) ? pod.status.conditions : [];
  return conds.some((c: any) => c?.type === type && c?.status === 'True');
}

// The Initialized check takes the first condition of that type, as kube's helper does.
function initializedTrue(pod: any): boolean {
  const conds = Array.isArray(pod?.status?.conditions) ? pod.status.conditions : [];
  const c = conds.find((x: any) => x?.type === 'Initialized');
  return c?.status === 'True';
}

export function podStatusCells(pod: any, now: number): PodStatusCells {
  const spec = pod?.spec ?? {};
  const status = pod?.status ?? {};
  const phase: string = typeof status.phase === 'string' ? status.phase : '';
  let reason: string = status.reason ? String(status.reason) : phase;
  for (const c of Array.isArray(status.conditions) ? status.conditions : []) {
    if (c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpecs = new Map<unknown, any>();
  let total = Array.isArray(spec.containers) ? spec.containers.length : 0;
  const initContainers: any[] = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  for (const ic of initContainers) {
    initSpecs.set(ic?.name, ic);
    if (ic?.restartPolicy === 'Always') total++;
  }
  const isSidecar = (name: unknown) => initSpecs.get(name)?.restartPolicy === 'Always';

  let ready = 0;
  let restarts = 0;
  let lastRestart: number | undefined;
  let sidecarRestarts = 0;
  let lastSidecarRestart: number | undefined;
  const later = (a: number | undefined, b: number | undefined) => (b !== undefined && (a === undefined || b > a) ? b : a);

  let initializing = false;
  const initStatuses: any[] = Array.isArray(status.initContainerStatuses) ? status.initContainerStatuses : [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] ?? {};
    restarts += Number(cs.restartCount ?? 0);
    lastRestart = later(lastRestart, lastFinishedAt(cs));
    if (isSidecar(cs.name)) {
      sidecarRestarts += Number(cs.restartCount ?? 0);
      lastSidecarRestart = later(lastSidecarRestart, lastFinishedAt(cs));
    }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && Number(term.exitCode ?? 0) === 0) continue;
    if (isSidecar(cs.name) && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (term) {
      if (!term.reason) reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode ?? 0}`;
      else reason = `Init:${term.reason}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || initializedTrue(pod)) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses: any[] = Array.isArray(status.containerStatuses) ? status.containerStatuses : [];
    // Walked backwards so that the first container's reason is the one left standing.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] ?? {};
      restarts += Number(cs.restartCount ?? 0);
      lastRestart = later(lastRestart, lastFinishedAt(cs));
      const waiting = cs.state?.waiting;
      const term = cs.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod?.metadata?.deletionTimestamp) {
    if (status.reason === 'NodeLost') reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  }

  let restartText = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) restartText = `${restarts} (${humanDuration(now - lastRestart)} ago)`;
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText, readyContainers: ready, totalContainers: total, restartCount: restarts };
}

/** Just the STATUS column. */
export function podStatusText(pod: any, now: number): string {
  return podStatusCells(pod, now).status;
}
