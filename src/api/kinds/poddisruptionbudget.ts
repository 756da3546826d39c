// policy/v1 PodDisruptionBudget: minAvailable xor maxUnavailable, selector rules, and `kubectl get pdb`.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import { validateLabelSelector } from '../selectors/labels.js';
import type { FieldError, KubeObject } from '../types.js';
import { goIntOrString, invalidRaw, isObj, type Obj, STANDARD_VERBS, STATUS_SUBRESOURCE, specOf, statusOf } from './core-helpers.js';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];
const PERCENT_RE = /^[0-9]+%$/;
const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

function goPtr(type: string, v: unknown): string {
  return v == null ? `(*${type})(nil)` : `(*${type})(0xc000a3c000)`;
}

// kube prints the whole internal spec struct here; pointers show as addresses.
function goSpec(spec: Obj): string {
  return (
    `policy.PodDisruptionBudgetSpec{MinAvailable:${goPtr('intstr.IntOrString', spec.minAvailable)}, ` +
    `Selector:${goPtr('v1.LabelSelector', spec.selector)}, MaxUnavailable:${goPtr('intstr.IntOrString', spec.maxUnavailable)}, ` +
    `UnhealthyPodEvictionPolicy:${goPtr('policy.UnhealthyPodEvictionPolicyType', spec.unhealthyPodEvictionPolicy)}}`
  );
}

function validateIntOrPercent(v: unknown, fld: string): FieldError[] {
  if (typeof v === 'string') {
    if (!PERCENT_RE.test(v)) return [invalidRaw(fld, goIntOrString(v), PERCENT_MSG)];
    return Number.parseInt(v, 10) > 100 ? [invalidRaw(fld, goIntOrString(v), 'must not be greater than 100%')] : [];
  }
  if (typeof v === 'number' && v < 0) return [fieldErr.invalid(fld, Math.trunc(v), 'must be greater than or equal to 0')];
  return [];
}

function validatePDB(pdb: KubeObject): FieldError[] {
  const spec = specOf(pdb);
  const errs: FieldError[] = [];
  if (spec.minAvailable != null && spec.maxUnavailable != null) errs.push(invalidRaw('spec', goSpec(spec), 'minAvailable and maxUnavailable cannot be both set'));
  if (spec.minAvailable != null) errs.push(...validateIntOrPercent(spec.minAvailable, 'spec.minAvailable'));
  if (spec.maxUnavailable != null) errs.push(...validateIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
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

