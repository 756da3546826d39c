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
  // One object: ConfigMap kube-system/kubeloop-clock, the cluster clock's settings (the server scopes it).
  ['clock', 'ConfigMap', '../api/v1/configmaps'],
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
  type: 'RESET' | 'SYNCED' | 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR' | 'CLOCK';
  object?: Obj;
  revision?: string;
  now?: number;
  rate?: number;
  paused?: boolean;
}

/** The cluster clock's last reading and how it runs, so ages follow a scaled or paused cluster clock. */
let clusterClock: { now: number; at: number; rate: number; paused: boolean } | undefined;

/** The cluster's time now, in ms: its last reading moved on at its rate (the browser's clock until one came). */
export function clusterNow(): number {
  const c = clusterClock;
  if (!c) return Date.now();
  return c.paused ? c.now : c.now + (Date.now() - c.at) * c.rate;
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
        if (l.type === 'CLOCK') {
          clusterClock = { now: Number(l.now), at: Date.now(), rate: Number(l.rate) || 1, paused: !!l.paused };
          continue;
        }
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

export function create(path: string, body: unknown): Promise<unknown> {
  return fetch(`${path}?fieldManager=kubeloop-dashboard`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(check);
}

/** A Node as `kubeloop node add` registers it; a simulated kubelet takes it over. */
export function addNode(name: string): Promise<unknown> {
  const labels = { 'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' };
  return create('../api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels, annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } }, spec: {} });
}

export const KUBELET_ANNOTATION = 'kubeloop.dev/kubelet';

/** Stops (as if the machine died: heartbeats stop) or starts a simulated node's kubelet. */
export function setKubelet(node: Obj, running: boolean): Promise<unknown> {
  return patch(node, { metadata: { annotations: { [KUBELET_ANNOTATION]: running ? null : 'stopped' } } });
}

export interface ClockSettings {
  rate: number;
  paused: boolean;
  cm: Obj;
}

/** The cluster clock's settings from ConfigMap kube-system/kubeloop-clock, when kubeloop keeps one. */
export function clockSettings(): ClockSettings | undefined {
  const cm = objs('clock')[0];
  if (!cm) return undefined;
  const data = (cm.data ?? {}) as Record<string, string>;
  return { rate: Number(data.timeScale ?? 1) || 1, paused: String(data.paused ?? '').toLowerCase() === 'true', cm };
}

export function setClock(c: ClockSettings, change: { rate?: number; paused?: boolean }): Promise<unknown> {
  const data: Record<string, string> = {};
  if (change.rate !== undefined) data.timeScale = String(change.rate);
  if (change.paused !== undefined) data.paused = String(change.paused);
  return patch(c.cm, { data });
}

/**
 * `kubectl exec -it POD -- sh` from the page: the WebSocket remote-command protocol (v5.channel.k8s.io, every
 * message binary, first byte the channel: 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 resize).
 */
export function openExec(
  pod: Obj,
  container: string,
  on: { output(text: string): void; status(s: { status?: string; message?: string }): void; open(): void; close(): void },
  size = { cols: 80, rows: 24 },
): { send(keys: string): void; close(): void } {
  const q = new URLSearchParams({ container, stdin: 'true', stdout: 'true', tty: 'true' });
  q.append('command', 'sh');
  const url = new URL(`${objectPath(pod, 'exec')}?${q}`, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  ws.binaryType = 'arraybuffer';
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const frame = (ch: number, text: string) => {
    const body = enc.encode(text);
    const out = new Uint8Array(body.length + 1);
    out[0] = ch;
    out.set(body, 1);
    return out;
  };
  ws.onopen = () => {
    ws.send(frame(4, JSON.stringify({ Width: size.cols, Height: size.rows })));
    on.open();
  };
  ws.onmessage = (m) => {
    if (!(m.data instanceof ArrayBuffer)) return;
    const bytes = new Uint8Array(m.data);
    if (bytes.length === 0) return;
    const text = dec.decode(bytes.subarray(1), { stream: true });
    if (bytes[0] === 1 || bytes[0] === 2) on.output(text);
    else if (bytes[0] === 3) {
      try {
        on.status(JSON.parse(text) as { status?: string; message?: string });
      } catch {
        on.status({ message: text });
      }
    }
  };
  ws.onclose = () => on.close();
  return {
    send: (keys) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame(0, keys));
    },
    close: () => ws.close(),
  };
}
