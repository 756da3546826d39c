// Wires the LimitRanger and ResourceQuota admission steps into a server's storage. LimitRanger comes first so
// that the quota sees the defaults it filled in (kube-apiserver orders its plugins the same way).
import type { Registry } from '../../api/registry.js';
import type { Clock } from '../../clock/clock.js';
import type { Store } from '../../store/store.js';
import type { ResourceStorage } from '../storage/generic.js';
import { listPrefix } from '../storage/keys.js';
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
          writeUsed: (q, used) =>
            void storage.mutate(quotas, q.metadata.namespace, q.metadata.name ?? '', (obj) => {
              obj.status = { ...(obj.status ?? {}), used };
            }),
        },
        clock,
      ),
    );
  }
}
