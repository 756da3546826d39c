// policy/v1 PodDisruptionBudget: minAvailable xor maxUnavailable, selector rules, and `kubectl get pdb`.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import { validateLabelSelector } from '../selectors/labels.js';
import type { FieldError, KubeObject } from '../types.js';
import { STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { goPointer, invalidRaw } from './go-render.js';
import { notMoreThan100Percent, validateIntOrPercent } from './int-or-percent.js';
import { isObj, type Obj, specOf, statusOf } from './object-helpers.js';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

// kube prints the whole internal spec struct here; pointers show as addresses.
function goSpec(spec: Obj): string {
  return (
    `policy.PodDisruptionBudgetSpec{MinAvailable:${goPointer('intstr.IntOrString', spec.minAvailable)}, ` +
    `Selector:${goPointer('v1.LabelSelector', spec.selector)}, MaxUnavailable:${goPointer('intstr.IntOrString', spec.maxUnavailable)}, ` +
    `UnhealthyPodEvictionPolicy:${goPointer('policy.UnhealthyPodEvictionPolicyType', spec.unhealthyPodEvictionPolicy)}}`
  );
}

// Unlike a rolling update's maxSurge, a budget is a share of the pods, so it may never pass 100%.
function validateBudget(v: unknown, fld: string): FieldError[] {
  return [...validateIntOrPercent(v, fld), ...notMoreThan100Percent(v, fld)];
}

function validatePDB(pdb: KubeObject): FieldError[] {
  const spec = specOf(pdb);
  const errs: FieldError[] = [];
  if (spec.minAvailable != null && spec.maxUnavailable != null) errs.push(invalidRaw('spec', goSpec(spec), 'minAvailable and maxUnavailable cannot be both set'));
  if (spec.minAvailable != null) errs.push(...validateBudget(spec.minAvailable, 'spec.minAvailable'));
  if (spec.maxUnavailable != null) errs.push(...validateBudget(spec.maxUnavailable, 'spec.maxUnavailable'));
  if (isObj(spec.selector)) errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy != null && !EVICTION_POLICIES.includes(policy)) errs.push(fieldErr.notSupported('spec.unhealthyPodEvictionPolicy', policy, EVICTION_POLICIES));
  return errs;
}

function budgetCell(v: unknown): string {
  return v == null ? 'N/A' : String(v);
}

export const podDisruptionBudgetDescriptor: ResourceDescriptor = {
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  listKind: 'PodDisruptionBudgetList',
  plural: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  shortNames: ['pdb'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE],
  schemaType: 'io.k8s.api.policy.v1.PodDisruptionBudget',
  hasStatus: true,
  generation: 'spec',
  defaultPropagation: 'Background',
  // Go writes the status counters even when zero, so a fresh budget shows them.
  prepareForCreate(pdb) {
    pdb.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  },
  prepareForUpdate(pdb, old) {
    pdb.status = old.status;
  },
  validate: validatePDB,
  table: {
    columns: [nameColumn, col('Min Available'), col('Max Unavailable'), col('Allowed Disruptions', 'integer'), ageColumn],
    cells(pdb, now) {
      const spec = specOf(pdb);
      return [pdb.metadata.name, budgetCell(spec.minAvailable), budgetCell(spec.maxUnavailable), Number(statusOf(pdb).disruptionsAllowed ?? 0), objectAge(pdb, now)];
    },
  },
};

