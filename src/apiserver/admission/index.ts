// Wires the LimitRanger and ResourceQuota admission steps into a server's storage. LimitRanger comes first so
// that the quota sees the defaults it filled in (kube-apiserver orders its plugins the same way).
import type { Registry } from '../../api/registry.js';
import type { Clock } from '../../clock/clock.js';
import type { KubeObject } from '../../api/types.js';
import { type Store, StoreConflictError } from '../../store/store.js';
import type { ResourceStorage } from '../storage/generic.js';
import { listPrefix, objectKey } from '../storage/keys.js';
import { limitRangerAdmission } from './limitranger.js';
import { resourceQuotaAdmission } from './resourcequota.js';

export function addQuotaAdmission(storage: ResourceStorage, store: Store, registry: Registry, clock: Clock): void {
  const ranges = registry.kind('', 'LimitRange');
  if (ranges) storage.addAdmission(limitRangerAdmission((ns) => store.list(listPrefix(ranges, ns)).entries.map((e) => e.object)));
  const quotas = registry.kind('', 'ResourceQuota');
  if (quotas) {
    storage.addAdmission(
      resourceQuotaAdmission(
        {
          list: (ns) => store.list(listPrefix(quotas, ns)).entries.map((e) => e.object),
          writeUsed: async (q, used) => {
            try {
              await store.update(objectKey(quotas, q.metadata.namespace, q.metadata.name ?? ''), withUsed(q, used), Number(q.metadata.resourceVersion));
              return true;
            } catch (err) {
              if (err instanceof StoreConflictError) return false;
              throw err;
            }
          },
          ...(store.updateNow
            ? {
                writeUsedNow: (q: KubeObject, used: Record<string, string>) => {
                  try {
                    store.updateNow?.(objectKey(quotas, q.metadata.namespace, q.metadata.name ?? ''), withUsed(q, used), Number(q.metadata.resourceVersion));
                    return true;
                  } catch (err) {
                    if (err instanceof StoreConflictError) return false;
                    throw err;
                  }
                },
              }
            : {}),
        },
        clock,
      ),
    );
  }
}

/** A copy of quota `q` with status.used replaced, for a write preconditioned on q's resourceVersion. */
function withUsed(q: KubeObject, used: Record<string, string>): KubeObject {
  const next: KubeObject = { ...q, metadata: { ...q.metadata }, status: { ...((q.status as object) ?? {}), used } };
  delete next.metadata.resourceVersion;
  return next;
}
