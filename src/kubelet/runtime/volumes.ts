// The mounts a container sees: each pod volume resolved to a shared file tree (emptyDir per pod, hostPath per
// node and path, persistentVolumeClaim per bound PersistentVolume, API objects projected as files), at the
// container's mountPaths, readOnly honoured. subPath and subPathExpr mount a directory (or file) inside the
// volume, created when missing, as the kubelet does.
import type { Container, Pod, VolumeMount } from 'kubernetes-types/core/v1.js';
import { FileTree, type Mount, normalize } from '../../containers/fs.js';
import { boundVolume, type NodeObjects } from '../pod/config-refs.js';
import type { ContainerDirectory } from './directory.js';
import { expandRefs } from './env.js';
import { isProjected, type ProjectionContext, projectedTree } from './projected.js';

export interface MountOptions {
  projection?: Omit<ProjectionContext, 'container'>;
  /** The kubelet's variables of the container, for subPathExpr. */
  env?: Record<string, string>;
  objects?: NodeObjects;
  now?: () => number;
}

/** The sub-path a mount asks for, after expansion; an error in the kubelet's words when it is not allowed. */
export function mountSubPath(vm: VolumeMount, env: Record<string, string>): { sub: string } | { error: string } {
  const raw = vm.subPathExpr ? expandRefs(vm.subPathExpr, env) : (vm.subPath ?? '');
  if (!raw) return { sub: '' };
  if (raw.startsWith('/')) return { error: `error SubPath \`${raw}\` must not be an absolute path` };
  if (raw.split('/').includes('..')) return { error: `unable to provision SubPath \`${raw}\`: must not contain '..'` };
  return { sub: normalize(raw).slice(1) };
}

/** The first mount of a container whose sub-path cannot be used, for CreateContainerConfigError. */
export function subPathError(container: Container, env: Record<string, string>): string | undefined {
  for (const vm of container.volumeMounts ?? []) {
    const r = mountSubPath(vm, env);
    if ('error' in r) return r.error;
  }
  return undefined;
}

export function containerMounts(dir: ContainerDirectory, pod: Pod, container: Container, opts: MountOptions = {}): Mount[] {
  const ns = pod.metadata?.namespace ?? 'default';
  const record = dir.pod(ns, pod.metadata?.name ?? '', pod.metadata?.uid ?? '');
  const now = opts.now ?? (() => 0);
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const v = pod.spec?.volumes?.find((x) => x.name === vm.name);
    if (!v) continue;
    const sp = mountSubPath(vm, opts.env ?? {});
    const wanted = 'sub' in sp ? sp.sub : '';
    let tree: FileTree;
    let refresh: (() => void) | undefined;
    let readOnly = !!vm.readOnly;
    if (isProjected(v)) {
      const p = projectedTree(v, { pod: () => pod, ...opts.projection, container });
      tree = p.tree;
      // A sub-path of these is a copy taken at start: the kubelet never updates it (a known limitation).
      if (!wanted) refresh = p.refresh;
      // The kubelet always mounts these read-only.
      readOnly = true;
    } else if (v.persistentVolumeClaim) {
      const claim = v.persistentVolumeClaim.claimName;
      const pv = opts.objects ? boundVolume(opts.objects, ns, claim) : undefined;
      // Without a claim cache (unit tests of the runtime alone) the claim itself names the data.
      tree = dir.volumes.volume(pv ?? `claim-${ns}-${claim}`);
      readOnly ||= !!v.persistentVolumeClaim.readOnly;
    } else if (v.hostPath) {
      tree = dir.volumes.hostPath(pod.spec?.nodeName ?? '', v.hostPath.path);
    } else {
      // emptyDir and, until they are simulated, the other kinds: one tree per pod volume.
      let t = record.volumes.get(v.name);
      if (!t) record.volumes.set(v.name, (t = new FileTree()));
      tree = t;
    }
    let sub: string | undefined;
    if (wanted) {
      // Links inside the volume are followed (a projected key is a link into `..data`); a missing directory is
      // created, as the kubelet does before the bind mount.
      sub = tree.realPath(wanted) ?? wanted;
      if (!tree.entries.has(sub)) {
        tree.mkdirs(sub, now());
        tree.onChange?.(sub, tree.entries.get(sub));
      }
    }
    mounts.push({ path: vm.mountPath, tree, ...(sub ? { sub } : {}), ...(readOnly ? { readOnly } : {}), ...(refresh ? { refresh } : {}) });
  }
  return mounts;
}
