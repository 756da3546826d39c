// What the dashboard shows, derived from the objects its watches hold: pure functions (no DOM, no I/O), so
// unit tests run them under node and the page stays a thin view over them.
import { podStatusCells } from '../../api/kinds/pod-status-text.js';

/** The loose shape of any object the API returns. */
export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string; uid: string; controller?: boolean }>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    resourceVersion?: string;
  };
  spec?: any;
  status?: any;
  [k: string]: unknown;
}

export type TileClass = 'pending' | 'creating' | 'running' | 'notready' | 'terminating' | 'completed' | 'error' | 'crash' | 'pull' | 'unknown';

/** The words a legend shows for each colour. */
export const TILE_LEGEND: Array<[TileClass, string]> = [
  ['pending', 'Pending'],
  ['creating', 'ContainerCreating'],
  ['notready', 'Running, not ready'],
  ['running', 'Running and Ready'],
  ['terminating', 'Terminating'],
  ['completed', 'Completed'],
  ['error', 'Error'],
  ['crash', 'CrashLoopBackOff'],
  ['pull', 'ImagePullBackOff'],
];

export interface PodView {
  /** kubectl's STATUS column. */
  text: string;
  cls: TileClass;
  ready: string;
  restarts: string;
}

/** A pod as a tile: kubectl's STATUS text and the colour class for it. */
export function podView(pod: Obj, now: number): PodView {
  const cells = podStatusCells(pod, now);
  return { text: cells.status, cls: classify(cells.status, cells.readyContainers, cells.totalContainers), ready: cells.ready, restarts: cells.restarts };
}

export function classify(text: string, ready: number, total: number): TileClass {
  const t = text.startsWith('Init:') ? text.slice(5) : text;
  if (text === 'Terminating') return 'terminating';
  if (text === 'Completed' || text === 'Succeeded') return 'completed';
  if (text === 'Running') return total > 0 && ready === total ? 'running' : 'notready';
  if (text === 'NotReady') return 'notready';
  if (t === 'CrashLoopBackOff') return 'crash';
  if (t === 'ImagePullBackOff' || t === 'ErrImagePull' || t === 'InvalidImageName' || t === 'ErrImageNeverPull') return 'pull';
  if (text === 'ContainerCreating' || text === 'PodInitializing' || /^Init:\d+\/\d+$/.test(text)) return 'creating';
  if (text === 'Pending' || text === 'SchedulingGated') return 'pending';
  if (text === 'Unknown' || text === '') return 'unknown';
  // Error, OOMKilled, ExitCode:N, Signal:N, Failed, Evicted, ContainerCannotRun, CreateContainerError, ...
  return 'error';
}

export function key(o: Obj): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata.name ?? '');
}

function byName(a: Obj, b: Obj): number {
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

export function controllerUid(o: Obj): string | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller)?.uid;
}

/** Objects grouped by the uid of their controller. */
export function byController(objs: Iterable<Obj>): Map<string, Obj[]> {
  const out = new Map<string, Obj[]>();
  for (const o of objs) {
    const uid = controllerUid(o);
    if (!uid) continue;
    let list = out.get(uid);
    if (!list) out.set(uid, (list = []));
    list.push(o);
  }
  return out;
}

// --- nodes as columns ---

export interface NodeColumn {
  /** The node's name; "" for the column of pods not yet scheduled. */
  name: string;
  node?: Obj;
  ready: 'True' | 'False' | 'Unknown';
  unschedulable: boolean;
  pods: Obj[];
}

export function nodeReady(node: Obj): 'True' | 'False' | 'Unknown' {
  const c = (node.status?.conditions ?? []).find((x: any) => x?.type === 'Ready');
  return c?.status === 'True' ? 'True' : c?.status === 'False' ? 'False' : 'Unknown';
}

/** One column per node (by name), each with its pods (by namespace/name); unscheduled pods first, if any. */
export function nodeColumns(nodes: Iterable<Obj>, pods: Iterable<Obj>): NodeColumn[] {
  const cols = new Map<string, NodeColumn>();
  for (const n of [...nodes].sort(byName)) {
    const name = n.metadata.name ?? '';
    cols.set(name, { name, node: n, ready: nodeReady(n), unschedulable: !!n.spec?.unschedulable, pods: [] });
  }
  const pending: NodeColumn = { name: '', ready: 'Unknown', unschedulable: false, pods: [] };
  for (const p of pods) {
    const nodeName: string | undefined = p.spec?.nodeName;
    const col = nodeName ? cols.get(nodeName) : pending;
    if (col) col.pods.push(p);
    else cols.set(nodeName as string, { name: nodeName as string, ready: 'Unknown', unschedulable: false, pods: [p] });
  }
  for (const c of cols.values()) c.pods.sort(byName);
  pending.pods.sort(byName);
  return pending.pods.length ? [pending, ...cols.values()] : [...cols.values()];
}

// --- workloads as trees ---

export interface TreeNode {
  obj: Obj;
  kind: string;
  /** The name, or for a StatefulSet pod its ordinal too. */
  label: string;
  /** A short summary: "3/3 ready", "revision 2", "Complete". */
  detail: string;
  children: TreeNode[];
}

export interface WorkloadInput {
  deployments?: Iterable<Obj>;
  replicasets?: Iterable<Obj>;
  statefulsets?: Iterable<Obj>;
  daemonsets?: Iterable<Obj>;
  cronjobs?: Iterable<Obj>;
  jobs?: Iterable<Obj>;
  pods?: Iterable<Obj>;
}

const REVISION = 'deployment.kubernetes.io/revision';

export function revisionOf(rs: Obj): number {
  return Number(rs.metadata.annotations?.[REVISION] ?? 0) || 0;
}

/** The ordinal at the end of a StatefulSet pod's name (`web-2` is 2). */
export function ordinalOf(pod: Obj, setName: string): number {
  const name = pod.metadata.name ?? '';
  const m = name.startsWith(`${setName}-`) ? /^\d+$/.exec(name.slice(setName.length + 1)) : null;
  return m ? Number(m[0]) : Number.MAX_SAFE_INTEGER;
}

function creation(o: Obj): string {
  return o.metadata.creationTimestamp ?? '';
}

function podLeaf(p: Obj, label = p.metadata.name ?? ''): TreeNode {
  return { obj: p, kind: 'Pod', label, detail: '', children: [] };
}

function ready(o: Obj, want: number | undefined, field = 'readyReplicas'): string {
  return `${o.status?.[field] ?? 0}/${want ?? 0} ready`;
}

/** Deployment → ReplicaSets (newest revision first) → pods; StatefulSet → pods by ordinal; DaemonSet → pods by
 * node; CronJob → Jobs (newest first) → pods; ReplicaSets and Jobs without a controller stand alone. */
export function workloadTrees(input: WorkloadInput): TreeNode[] {
  const pods = byController(input.pods ?? []);
  const rsByOwner = byController(input.replicasets ?? []);
  const jobsByOwner = byController(input.jobs ?? []);
  const podsOf = (o: Obj) => [...(pods.get(o.metadata.uid ?? '') ?? [])].sort(byName);
  const rsNode = (rs: Obj): TreeNode => ({
    obj: rs,
    kind: 'ReplicaSet',
    label: rs.metadata.name ?? '',
    detail: `${revisionOf(rs) ? `revision ${revisionOf(rs)}, ` : ''}${ready(rs, rs.spec?.replicas)}`,
    children: podsOf(rs).map((p) => podLeaf(p)),
  });
  const jobNode = (j: Obj): TreeNode => {
    const conds: any[] = j.status?.conditions ?? [];
    const done = conds.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    return {
      obj: j,
      kind: 'Job',
      label: j.metadata.name ?? '',
      detail: done ? done.type : `${j.status?.succeeded ?? 0}/${j.spec?.completions ?? 1} succeeded, ${j.status?.failed ?? 0} failed`,
      children: podsOf(j).map((p) => podLeaf(p)),
    };
  };
  const out: TreeNode[] = [];
  for (const d of [...(input.deployments ?? [])].sort(byName)) {
    const rss = [...(rsByOwner.get(d.metadata.uid ?? '') ?? [])].sort((a, b) => revisionOf(b) - revisionOf(a) || (creation(b) < creation(a) ? -1 : 1));
    out.push({ obj: d, kind: 'Deployment', label: d.metadata.name ?? '', detail: `${ready(d, d.spec?.replicas)}, ${d.status?.updatedReplicas ?? 0} up to date`, children: rss.map(rsNode) });
  }
  for (const s of [...(input.statefulsets ?? [])].sort(byName)) {
    const name = s.metadata.name ?? '';
    const children = podsOf(s)
      .sort((a, b) => ordinalOf(a, name) - ordinalOf(b, name))
      .map((p) => podLeaf(p, `#${ordinalOf(p, name)} ${p.metadata.name}`));
    out.push({ obj: s, kind: 'StatefulSet', label: name, detail: ready(s, s.spec?.replicas), children });
  }
  for (const ds of [...(input.daemonsets ?? [])].sort(byName)) {
    const children = podsOf(ds)
      .sort((a, b) => String(a.spec?.nodeName ?? '').localeCompare(String(b.spec?.nodeName ?? '')))
      .map((p) => podLeaf(p, `${p.metadata.name} on ${p.spec?.nodeName ?? '(unscheduled)'}`));
    out.push({ obj: ds, kind: 'DaemonSet', label: ds.metadata.name ?? '', detail: ready(ds, ds.status?.desiredNumberScheduled, 'numberReady'), children });
  }
  for (const cj of [...(input.cronjobs ?? [])].sort(byName)) {
    const jobs = [...(jobsByOwner.get(cj.metadata.uid ?? '') ?? [])].sort((a, b) => (creation(b) < creation(a) ? -1 : 1));
    const last = cj.status?.lastScheduleTime ? `last ${cj.status.lastScheduleTime}` : 'not run yet';
    out.push({ obj: cj, kind: 'CronJob', label: cj.metadata.name ?? '', detail: `${cj.spec?.schedule ?? ''}${cj.spec?.suspend ? ' (suspended)' : ''}, ${last}`, children: jobs.map(jobNode) });
  }
  for (const rs of [...(input.replicasets ?? [])].sort(byName)) if (!controllerUid(rs)) out.push(rsNode(rs));
  for (const j of [...(input.jobs ?? [])].sort(byName)) if (!controllerUid(j)) out.push(jobNode(j));
  return out;
}

// --- services and volumes ---

export interface ServiceView {
  service: Obj;
  ready: Array<{ ip: string; pod?: string }>;
  notReady: Array<{ ip: string; pod?: string }>;
  ports: string;
}

export function serviceViews(services: Iterable<Obj>, endpoints: Iterable<Obj>): ServiceView[] {
  const eps = new Map<string, Obj>();
  for (const e of endpoints) eps.set(key(e), e);
  return [...services].sort(byName).map((s) => {
    const e = eps.get(key(s));
    const ready: ServiceView['ready'] = [];
    const notReady: ServiceView['notReady'] = [];
    for (const sub of (e?.subsets as any[] | undefined) ?? []) {
      for (const a of sub.addresses ?? []) ready.push({ ip: a.ip, ...(a.targetRef?.name ? { pod: a.targetRef.name } : {}) });
      for (const a of sub.notReadyAddresses ?? []) notReady.push({ ip: a.ip, ...(a.targetRef?.name ? { pod: a.targetRef.name } : {}) });
    }
    const ports = ((s.spec?.ports as any[] | undefined) ?? []).map((p) => `${p.port}${p.targetPort !== undefined && p.targetPort !== p.port ? `→${p.targetPort}` : ''}/${p.protocol ?? 'TCP'}`).join(', ');
    return { service: s, ready, notReady, ports };
  });
}

export interface ClaimView {
  claim: Obj;
  phase: string;
  volume?: Obj;
  capacity: string;
}

export function claimViews(claims: Iterable<Obj>, volumes: Iterable<Obj>): ClaimView[] {
  const pvs = new Map<string, Obj>();
  for (const v of volumes) pvs.set(v.metadata.name ?? '', v);
  return [...claims].sort(byName).map((c) => {
    const volume = c.spec?.volumeName ? pvs.get(c.spec.volumeName) : undefined;
    const capacity = c.status?.capacity?.storage ?? c.spec?.resources?.requests?.storage ?? '';
    return { claim: c, phase: c.status?.phase ?? 'Pending', capacity, ...(volume ? { volume } : {}) };
  });
}

// --- the watch cache ---

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Obj;
}

/** Applies one watch event to a uid-keyed map; returns whether anything visible changed. */
export function applyEvent(objs: Map<string, Obj>, e: WatchEvent): boolean {
  const uid = e.object?.metadata?.uid;
  if (e.type === 'BOOKMARK' || e.type === 'ERROR' || !uid) return false;
  if (e.type === 'DELETED') return objs.delete(uid);
  objs.set(uid, e.object);
  return true;
}

/** Ages the way kubectl prints them: 5s, 3m, 2h, 4d. */
export function age(ts: string | undefined, now: number): string {
  if (!ts) return '';
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
