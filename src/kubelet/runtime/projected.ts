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
}

type KeyToPath = { key: string; path: string };

export function isProjected(v: Volume): boolean {
  return !!(v.configMap || v.secret || v.downwardAPI || v.projected);
}

function fromObject(files: Record<string, string>, ctx: ProjectionContext, kind: ConfigKind, name: string | undefined, items: KeyToPath[] | undefined, seen: string[]): void {
  const obj = name ? ctx.lookup?.(kind, ctx.pod().metadata?.namespace ?? 'default', name) : undefined;
  seen.push(`${kind}/${name}@${obj?.metadata.resourceVersion ?? '-'}`);
  const data = configData(obj, kind === 'Secret');
  if (!items?.length) {
    Object.assign(files, data);
    return;
  }
  for (const it of items) if (data[it.key] !== undefined) files[it.path] = data[it.key] as string;
}

function fromDownward(files: Record<string, string>, ctx: ProjectionContext, items: NonNullable<Volume['downwardAPI']>['items'], seen: string[]): void {
  const pod = ctx.pod();
  seen.push(`pod@${pod.metadata?.resourceVersion ?? '-'}`);
  for (const it of items ?? []) {
    if (it.fieldRef) files[it.path] = fieldValue(pod, it.fieldRef.fieldPath, ctx.addresses);
    else if (it.resourceFieldRef) files[it.path] = resourceValue(pod, ctx.container, it.resourceFieldRef);
  }
}

/** The files of a projected-kind volume right now, and a fingerprint of the objects they came from. */
export function projectFiles(v: Volume, ctx: ProjectionContext): { files: Record<string, string>; fingerprint: string } {
  const files: Record<string, string> = {};
  const seen: string[] = [];
  if (v.configMap) fromObject(files, ctx, 'ConfigMap', v.configMap.name, v.configMap.items, seen);
  if (v.secret) fromObject(files, ctx, 'Secret', v.secret.secretName, v.secret.items, seen);
  if (v.downwardAPI) fromDownward(files, ctx, v.downwardAPI.items, seen);
  for (const s of v.projected?.sources ?? ([] as VolumeProjection[])) {
    if (s.configMap) fromObject(files, ctx, 'ConfigMap', s.configMap.name, s.configMap.items, seen);
    if (s.secret) fromObject(files, ctx, 'Secret', s.secret.name, s.secret.items, seen);
    if (s.downwardAPI) fromDownward(files, ctx, s.downwardAPI.items, seen);
    if (s.serviceAccountToken) files[s.serviceAccountToken.path] = simulatedToken(ctx.pod());
  }
  return { files, fingerprint: seen.join(',') };
}

function simulatedToken(pod: Pod): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const sub = `system:serviceaccount:${pod.metadata?.namespace ?? 'default'}:${pod.spec?.serviceAccountName ?? 'default'}`;
  return `${part({ alg: 'RS256', kid: 'kubeloop' })}.${part({ iss: 'https://kubernetes.default.svc.cluster.local', sub })}.c2ltdWxhdGVk`;
}

/** A tree that re-projects itself when one of its source objects changed. */
export function projectedTree(v: Volume, ctx: ProjectionContext): { tree: FileTree; refresh: () => void } {
  const tree = new FileTree();
  let fingerprint = '';
  let last = '';
  const refresh = () => {
    const next = projectFiles(v, ctx);
    if (next.fingerprint === fingerprint) return;
    fingerprint = next.fingerprint;
    const text = JSON.stringify(next.files);
    if (text === last) return;
    last = text;
    for (const k of [...tree.entries.keys()]) if (k !== '') tree.entries.delete(k);
    for (const [p, data] of Object.entries(next.files)) {
      const rel = normalize(p).slice(1);
      const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
      tree.mkdirs(parent, 0);
      tree.entries.set(rel, { kind: 'file', data, mtime: 0 });
    }
  };
  refresh();
  return { tree, refresh };
}
