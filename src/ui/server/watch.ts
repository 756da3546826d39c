// One response carrying the watches of many resources: a browser keeps at most six HTTP/1.1 connections to a
// host, and the dashboard follows fourteen kinds (plus a log), so their streams share one connection. Each
// resource is watched exactly as GET ...?watch=1 watches it (the same storage watch, the same events and
// resourceVersions); lines are the API's watch events with a "resource" field added:
//   {"resource":"pods","type":"RESET"}                       initial state follows (drop what you have)
//   {"resource":"pods","type":"ADDED","object":{...}}       ADDED / MODIFIED / DELETED as the API sends them
//   {"resource":"pods","type":"SYNCED","revision":"123"}    the initial state is complete at revision 123
//   {"resource":"pods","type":"ERROR","object":{Status}}    e.g. 410 Gone: reconnect without its revision
//   {"type":"CLOCK","now":1764316800000,"rate":10,"paused":false}  the cluster's time (ms), at connect, when its
//                                                            settings change and every 5 s: ages on the page
//                                                            follow a scaled or paused cluster clock
// `rv.<resource>=N` resumes that resource after revision N (no RESET, no initial state).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { ApiError } from '../../api/errors.js';
import { entryJsonFor } from '../../apiserver/crd/convert.js';
import type { ResourceStorage, WatchEventType } from '../../apiserver/storage/generic.js';
import type { Clock } from '../../clock/clock.js';
import type { Entry } from '../../store/store.js';

/** The kinds the dashboard may watch, by plural: [group, kind], or [group, kind, namespace, fieldSelector] for
 * one object (the clock's ConfigMap: the page has no business watching every ConfigMap). */
export const WATCHABLE: Record<string, [string, string] | [string, string, string, string]> = {
  clock: ['', 'ConfigMap', 'kube-system', 'metadata.name=kubeloop-clock'],
  namespaces: ['', 'Namespace'],
  nodes: ['', 'Node'],
  pods: ['', 'Pod'],
  services: ['', 'Service'],
  endpoints: ['', 'Endpoints'],
  persistentvolumeclaims: ['', 'PersistentVolumeClaim'],
  persistentvolumes: ['', 'PersistentVolume'],
  events: ['', 'Event'],
  deployments: ['apps', 'Deployment'],
  replicasets: ['apps', 'ReplicaSet'],
  statefulsets: ['apps', 'StatefulSet'],
  daemonsets: ['apps', 'DaemonSet'],
  jobs: ['batch', 'Job'],
  cronjobs: ['batch', 'CronJob'],
};

const MAX_BUFFERED = 32 * 1024 * 1024;
const CLOCK_EVERY_MS = 5000;

/** A clock that can change rate or pause (AdjustableClock) says so; a plain one just runs. */
interface ClockWithSettings extends Clock {
  settings?(): { rate: number; paused: boolean };
  onChange?(fn: () => void): () => void;
}

function clockLine(clock: ClockWithSettings): string {
  const s = clock.settings?.() ?? { rate: 1, paused: false };
  return `{"type":"CLOCK","now":${clock.now()},"rate":${s.rate},"paused":${s.paused}}\n`;
}

export function serveMultiWatch(storage: ResourceStorage, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const names = (url.searchParams.get('resources') ?? '').split(',').filter(Boolean);
  const wanted: Array<[string, ResourceDescriptor, [string, string] | undefined]> = [];
  for (const name of names) {
    const gk = WATCHABLE[name];
    const d = gk ? storage.registry.kind(gk[0], gk[1]) : undefined;
    if (!d) {
      const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400, message: `cannot watch "${name}" here` });
      res.writeHead(400, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    wanted.push([name, d, gk && gk.length === 4 ? [gk[2], gk[3]] : undefined]);
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'X-Content-Type-Options': 'nosniff' });
  res.flushHeaders();
  const handles: Array<{ cancel(): void }> = [];
  let closed = false;
  const clock = storage.clock as ClockWithSettings;
  // Wall-clock timers on purpose: the page needs the cluster's time even while the cluster clock is paused.
  const ticker = setInterval(() => write(clockLine(clock)), CLOCK_EVERY_MS);
  const unwatchClock = clock.onChange?.(() => write(clockLine(clock)));
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(ticker);
    unwatchClock?.();
    for (const h of handles) h.cancel();
    if (!res.writableEnded) res.end();
  };
  res.on('close', close);
  req.on('close', close);
  const write = (line: string) => {
    if (closed) return;
    if (res.writableLength > MAX_BUFFERED) return close();
    res.write(line);
  };
  write(clockLine(clock));
  for (const [name, d, scope] of wanted) {
    const rv = url.searchParams.get(`rv.${name}`);
    const resume = rv !== null && rv !== '' && rv !== '0';
    const tag = JSON.stringify(name);
    if (!resume) write(`{"resource":${tag},"type":"RESET"}\n`);
    try {
      handles.push(
        storage.watch(d, scope?.[0], { ...(scope ? { fieldSelector: scope[1] } : {}), ...(resume ? { resourceVersion: rv } : { sendInitialEvents: true }) }, {
          event: (type: WatchEventType, entry: Entry) => write(`{"resource":${tag},"type":"${type}","object":${entryJsonFor(d, entry)}}\n`),
          bookmark: (revision: number, initialEventsEnd: boolean) => {
            if (initialEventsEnd) write(`{"resource":${tag},"type":"SYNCED","revision":"${revision}"}\n`);
          },
        }),
      );
    } catch (err) {
      const status = err instanceof ApiError ? err.status : { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, message: (err as Error).message };
      write(`{"resource":${tag},"type":"ERROR","object":${JSON.stringify(status)}}\n`);
    }
  }
}
