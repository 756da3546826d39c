// The mounts a container sees: each pod volume resolved to a shared file tree (emptyDir per pod, hostPath per
// node and path, persistentVolumeClaim per claim, API objects projected as files), at the container's
// mountPaths, readOnly honoured.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { FileTree, type Mount } from '../../containers/fs.js';
import type { ContainerDirectory } from './directory.js';
import { isProjected, type ProjectionContext, projectedTree } from './projected.js';

export function containerMounts(dir: ContainerDirectory, pod: Pod, container: Container, projection?: Omit<ProjectionContext, 'container'>): Mount[] {
  const ns = pod.metadata?.namespace ?? 'default';
  const record = dir.pod(ns, pod.metadata?.name ?? '', pod.metadata?.uid ?? '');
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const v = pod.spec?.volumes?.find((x) => x.name === vm.name);
    if (!v) continue;
    let tree: FileTree | undefined;
    if (isProjected(v)) {
      // The kubelet always mounts these read-only.
      const p = projectedTree(v, { pod: () => pod, ...projection, container });
      mounts.push({ path: vm.mountPath, tree: p.tree, readOnly: true, refresh: p.refresh });
      continue;
    }
    if (v.persistentVolumeClaim) {
      const key = `${ns}/${v.persistentVolumeClaim.claimName}`;
      tree = dir.claims.get(key);
      if (!tree) dir.claims.set(key, (tree = new FileTree()));
    } else if (v.hostPath) {
      const key = `${pod.spec?.nodeName ?? ''}:${v.hostPath.path}`;
      tree = dir.hostPaths.get(key);
      if (!tree) dir.hostPaths.set(key, (tree = new FileTree()));
    } else {
      // emptyDir and, until they are projected, the other kinds: one tree per pod volume.
      tree = record.volumes.get(v.name);
      if (!tree) record.volumes.set(v.name, (tree = new FileTree()));
    }
    const readOnly = !!vm.readOnly || !!v.persistentVolumeClaim?.readOnly;
    mounts.push({ path: vm.mountPath, tree, ...(readOnly ? { readOnly } : {}) });
  }
  return mounts;
}
