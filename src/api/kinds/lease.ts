// coordination.k8s.io/v1 Lease: node heartbeats and leader election; `kubectl get lease` shows the holder.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { isQualifiedName } from '../validation/names.js';
import { STANDARD_VERBS } from './descriptor-parts.js';
import { specOf } from './object-helpers.js';

const STRATEGIES = ['OldestEmulationVersion'];

function validateLease(lease: KubeObject): FieldError[] {
  const spec = specOf(lease);
  const errs: FieldError[] = [];
  if (spec.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0) {
    errs.push(fieldErr.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions != null && spec.leaseTransitions < 0) {
    errs.push(fieldErr.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  if (spec.strategy != null) {
    const s = String(spec.strategy);
    if (!s.includes('/')) {
      if (!STRATEGIES.includes(s)) errs.push(fieldErr.notSupported('spec.strategy', s, STRATEGIES));
    } else for (const m of isQualifiedName(s)) errs.push(fieldErr.invalid('spec.strategy', s, m));
  }
  if (spec.preferredHolder && !spec.strategy) {
    errs.push(fieldErr.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

export const leaseDescriptor: ResourceDescriptor = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  listKind: 'LeaseList',
  plural: 'leases',
  singular: 'lease',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [],
  schemaType: 'io.k8s.api.coordination.v1.Lease',
  hasStatus: false,
  defaultPropagation: 'Background',
  validate: validateLease,
  table: {
    columns: [nameColumn, col('Holder'), ageColumn],
    cells: (lease, now) => [lease.metadata.name, String(specOf(lease).holderIdentity ?? ''), objectAge(lease, now)],
  },
};
