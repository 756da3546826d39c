// configMap, secret, downwardAPI and projected volumes: files made from API objects, read-only, brought up to
// date whenever the container looks at them (a real kubelet gets there within its sync period; sooner is
// indistinguishable for anyone who waits).
import type { Container, Pod, Volume, VolumeProjection } from 'kubernetes-types/core/v1.js';
import { FileTree, normalize } from '../../containers/fs.js';
import type { ConfigKind, ConfigLookup } from '../pod/config-refs.js';
import { fieldValue, type PodAddresses, resourceValue } from './downward.js';
import { configData } from './env.js';

export interface ProjectionContext {
  pod: () => Pod;
  container: Container;
  lookup?: ConfigLookup;
  addresses?: PodAddresses;
  /** Cluster time, for the files' modification times and the timestamped data directory. */
  now?: () => number;
}

type KeyToPath = { key: string; path: string; mode?: number };

/** A projected file: its content and permission bits. */
export interface ProjectedFile {
  data: string;
  mode: number;
}

const DEFAULT_MODE = 0o644;

export function isProjected(v: Volume): boolean {
  return !!(v.configMap || v.secret || v.downwardAPI || v.projected);
}

function fromObject(files: Record<string, ProjectedFile>, ctx: ProjectionContext, kind: ConfigKind, name: string | undefined, items: KeyToPath[] | undefined, mode: number, seen: string[]): void {
  const obj = name ? ctx.lookup?.(kind, ctx.pod().metadata?.namespace ?? 'default', name) : undefined;
  seen.push(`${kind}/${name}@${obj?.metadata.resourceVersion ?? '-'}`);
  const data = configData(obj, kind === 'Secret');
  if (!items?.length) {
    for (const [k, v] of Object.entries(data)) files[k] = { data: v, mode };
    return;
  }
  for (const it of items) if (data[it.key] !== undefined) files[it.path] = { data: data[it.key] as string, mode: it.mode ?? mode };
}

function fromDownward(files: Record<string, ProjectedFile>, ctx: ProjectionContext, items: NonNullable<Volume['downwardAPI']>['items'], mode: number, seen: string[]): void {
  const pod = ctx.pod();
  seen.push(`pod@${pod.metadata?.resourceVersion ?? '-'}`);
  for (const it of items ?? []) {
    if (it.fieldRef) files[it.path] = { data: fieldValue(pod, it.fieldRef.fieldPath, ctx.addresses), mode: it.mode ?? mode };
    else if (it.resourceFieldRef) files[it.path] = { data: resourceValue(pod, ctx.container, it.resourceFieldRef), mode: it.mode ?? mode };
  }
}

/** The files of a projected-kind volume right now (defaultMode and items[].mode applied), and a fingerprint of
 * the objects they came from. */
export function projectFiles(v: Volume, ctx: ProjectionContext): { files: Record<string, ProjectedFile>; fingerprint: string } {
  const files: Record<string, ProjectedFile> = {};
  const seen: string[] = [];
  if (v.configMap) fromObject(files, ctx, 'ConfigMap', v.configMap.name, v.configMap.items, v.configMap.defaultMode ?? DEFAULT_MODE, seen);
  if (v.secret) fromObject(files, ctx, 'Secret', v.secret.secretName, v.secret.items, v.secret.defaultMode ?? DEFAULT_MODE, seen);
  if (v.downwardAPI) fromDownward(files, ctx, v.downwardAPI.items, v.downwardAPI.defaultMode ?? DEFAULT_MODE, seen);
  const mode = v.projected?.defaultMode ?? DEFAULT_MODE;
  for (const s of v.projected?.sources ?? ([] as VolumeProjection[])) {
    if (s.configMap) fromObject(files, ctx, 'ConfigMap', s.configMap.name, s.configMap.items, mode, seen);
    if (s.secret) fromObject(files, ctx, 'Secret', s.secret.name, s.secret.items, mode, seen);
    if (s.downwardAPI) fromDownward(files, ctx, s.downwardAPI.items, mode, seen);
    if (s.serviceAccountToken) files[s.serviceAccountToken.path] = { data: simulatedToken(ctx.pod()), mode };
  }
  return { files, fingerprint: seen.join(',') };
}

function simulatedToken(pod: Pod): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const sub = `system:serviceaccount:${pod.metadata?.namespace ?? 'default'}:${pod.spec?.serviceAccountName ?? 'default'}`;
  return `${part({ alg: 'RS256', kid: 'kubeloop' })}.${part({ iss: 'https://kubernetes.default.svc.cluster.local', sub })}.c2ltdWxhdGVk`;
}

/** The name of the kubelet's timestamped data directory (`..2024_05_01_10_00_00.123456789`). */
function dataDirName(now: number, salt: string): string {
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, '0');
  let h = 2166136261;
  for (const ch of `${salt}@${now}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.${h}`;
}

/** A tree that re-projects itself when one of its source objects changed, laid out as the kubelet's atomic
 * writer does: the files live in a timestamped directory, `..data` links to it, and every top-level name links
 * into `..data`, so an update swaps one link. */
export function projectedTree(v: Volume, ctx: ProjectionContext): { tree: FileTree; refresh: () => void } {
  const tree = new FileTree();
  const root = tree.entries.get('') as { mode?: number };
  root.mode = v.secret || v.projected ? 0o1777 : 0o777;
  let fingerprint = '';
  let last = '';
  const refresh = () => {
    const next = projectFiles(v, ctx);
    if (next.fingerprint === fingerprint) return;
    fingerprint = next.fingerprint;
    const text = JSON.stringify(next.files);
    if (text === last) return;
    last = text;
    const now = ctx.now?.() ?? 0;
    for (const k of [...tree.entries.keys()]) if (k !== '') tree.entries.delete(k);
    const dir = dataDirName(now, text);
    tree.mkdirs(dir, now);
    tree.link('..data', dir, now);
    for (const [p, f] of Object.entries(next.files)) {
      const rel = normalize(p).slice(1);
      const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
      tree.mkdirs(parent ? `${dir}/${parent}` : dir, now);
      tree.entries.set(`${dir}/${rel}`, { kind: 'file', data: f.data, mtime: now, mode: f.mode });
      const top = rel.split('/')[0] as string;
      if (!tree.entries.has(top)) tree.link(top, `..data/${top}`, now);
    }
  };
  refresh();
  return { tree, refresh };
}
