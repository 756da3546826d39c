// The page's only data source: the API's own list + watch streams, read as NDJSON with relative paths so the
// page works wherever it is mounted (kubeloop's /ui/ or kubectl proxy's). Nothing is polled: a stream that
// ends is resumed from the last resourceVersion, and a 410 Gone relists.
import { applyEvent, type Obj, type WatchEvent } from '../model/model.js';

export interface Resource {
  name: string;
  kind: string;
  path: string;
  objs: Map<string, Obj>;
  state: 'loading' | 'live' | 'retrying' | 'unauthorized';
}

const RESOURCES: Array<[string, string, string]> = [
  ['namespaces', 'Namespace', '../api/v1/namespaces'],
  ['nodes', 'Node', '../api/v1/nodes'],
  ['pods', 'Pod', '../api/v1/pods'],
  ['services', 'Service', '../api/v1/services'],
  ['endpoints', 'Endpoints', '../api/v1/endpoints'],
  ['persistentvolumeclaims', 'PersistentVolumeClaim', '../api/v1/persistentvolumeclaims'],
  ['persistentvolumes', 'PersistentVolume', '../api/v1/persistentvolumes'],
  ['events', 'Event', '../api/v1/events'],
  ['deployments', 'Deployment', '../apis/apps/v1/deployments'],
  ['replicasets', 'ReplicaSet', '../apis/apps/v1/replicasets'],
  ['statefulsets', 'StatefulSet', '../apis/apps/v1/statefulsets'],
  ['daemonsets', 'DaemonSet', '../apis/apps/v1/daemonsets'],
  ['jobs', 'Job', '../apis/batch/v1/jobs'],
  ['cronjobs', 'CronJob', '../apis/batch/v1/cronjobs'],
];

export const resources = new Map<string, Resource>(RESOURCES.map(([name, kind, path]) => [name, { name, kind, path, objs: new Map(), state: 'loading' }]));

export function objs(name: string): Obj[] {
  return [...(resources.get(name)?.objs.values() ?? [])];
}

/** The list a kind's objects live in, for the detail panel's lookups. */
export function resourceOfKind(kind: string): Resource | undefined {
  for (const r of resources.values()) if (r.kind === kind) return r;
  return undefined;
}

let listeners: Array<() => void> = [];
let scheduled = false;

/** Calls `fn` (at most once a frame) whenever any watched object changes. */
export function subscribe(fn: () => void): () => void {
  listeners.push(fn);
  return () => {
    listeners = listeners.filter((l) => l !== fn);
  };
}

function changed(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    for (const l of listeners) l();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield line;
    }
  }
  if (buf.trim()) yield buf.trim();
}

interface Line {
  resource: string;
  type: 'RESET' | 'SYNCED' | 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object?: Obj;
  revision?: string;
}

/** All resources over one stream (api/watch: the API's watches, multiplexed, since a browser keeps only six
 * connections per host); a dropped stream resumes every resource from the last revision it saw. */
async function run(): Promise<void> {
  const rv = new Map<string, string>();
  let failures = 0;
  for (;;) {
    const q = new URLSearchParams({ resources: [...resources.keys()].join(',') });
    for (const [name, v] of rv) q.set(`rv.${name}`, v);
    try {
      const res = await fetch(`api/watch?${q}`);
      if (res.status === 401) {
        for (const r of resources.values()) r.state = 'unauthorized';
        changed();
        await sleep(5000);
        continue;
      }
      if (!res.ok || !res.body) throw new Error(`${res.status}`);
      failures = 0;
      for (const name of rv.keys()) {
        const r = resources.get(name);
        if (r) r.state = 'live';
      }
      changed();
      for await (const text of lines(res.body)) {
        const l = JSON.parse(text) as Line;
        const r = resources.get(l.resource);
        if (!r) continue;
        if (l.type === 'RESET') {
          r.objs.clear();
          r.state = 'loading';
        } else if (l.type === 'SYNCED') {
          r.state = 'live';
          if (l.revision) rv.set(r.name, l.revision);
        } else if (l.type === 'ERROR') {
          // 410 Gone: start this resource over from its current state on the next connection.
          rv.delete(r.name);
          r.state = 'retrying';
          throw new Error('resync');
        } else if (l.object) {
          if (l.object.metadata?.resourceVersion) rv.set(r.name, l.object.metadata.resourceVersion);
          applyEvent(r.objs, { type: l.type, object: { ...l.object, kind: r.kind } } as WatchEvent);
        }
        changed();
      }
      throw new Error('stream ended');
    } catch {
      for (const r of resources.values()) if (r.state === 'live') r.state = 'retrying';
      changed();
      failures++;
      await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)));
    }
  }
}

export function start(): void {
  void run();
}

// --- requests the controls and the detail panel make ---

export function objectPath(o: Obj, sub = ''): string {
  const r = resourceOfKind(o.kind ?? '');
  if (!r) throw new Error(`no resource for ${o.kind}`);
  const [, base, plural] = /^(.*)\/([^/]+)$/.exec(r.path) ?? [];
  const ns = o.metadata.namespace ? `/namespaces/${encodeURIComponent(o.metadata.namespace)}` : '';
  return `${base}${ns}/${plural}/${encodeURIComponent(o.metadata.name ?? '')}${sub ? `/${sub}` : ''}`;
}

async function check(res: Response): Promise<unknown> {
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((body as { message?: string }).message ?? `HTTP ${res.status}`);
  return body;
}

export function patch(o: Obj, body: unknown, type: 'merge' | 'json' = 'merge', sub = ''): Promise<unknown> {
  const ct = type === 'merge' ? 'application/merge-patch+json' : 'application/json-patch+json';
  return fetch(`${objectPath(o, sub)}?fieldManager=kubeloop-dashboard`, { method: 'PATCH', headers: { 'Content-Type': ct }, body: JSON.stringify(body) }).then(check);
}

export function remove(o: Obj): Promise<unknown> {
  return fetch(objectPath(o), { method: 'DELETE' }).then(check);
}

export interface DecisionEntry {
  time: number;
  controller: string;
  message: string;
  seq: number;
  count: number;
}

export async function decisions(uid: string): Promise<DecisionEntry[]> {
  const res = await fetch(`api/decisions?uid=${encodeURIComponent(uid)}`);
  if (!res.ok) return [];
  return ((await res.json()) as { items: DecisionEntry[] }).items;
}

/** Follows a container's log; `onText` gets each chunk. Abort the signal to stop. */
export async function followLog(pod: Obj, container: string, signal: AbortSignal, onText: (t: string) => void): Promise<void> {
  const res = await fetch(`${objectPath(pod, 'log')}?follow=true&tailLines=500&container=${encodeURIComponent(container)}`, { signal });
  if (!res.ok || !res.body) {
    const body = await res.json().catch(() => ({}));
    onText(`(${(body as { message?: string }).message ?? `HTTP ${res.status}`})\n`);
    return;
  }
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onText(dec.decode(value, { stream: true }));
  }
}
