// core/v1 ResourceQuota: hard limits per namespace. The quota controller keeps status.hard and status.used;
// the ResourceQuota admission step (src/apiserver/admission/resourcequota.ts) charges and refuses writes.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, path } from '../fielderrors.js';
import { nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { isQualifiedName } from '../validation/names.js';
import { STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { arrayOf, isObj, type Obj, specOf, statusOf } from './object-helpers.js';
import { normalizeQuantities, quantityOf, validateResourceListValues } from './quantity-helpers.js';
import { QUOTA_SCOPES, scopeAllowsResource } from './resourcequota-usage.js';

/** Names a quota may track without a `/` (kube's standardQuotaResources). */
const STANDARD_QUOTA_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers',
  'resourcequotas', 'secrets', 'persistentvolumeclaims', 'configmaps', 'services.nodeports', 'services.loadbalancers',
]);
const STANDARD_RESOURCES = new Set([...STANDARD_QUOTA_RESOURCES]);

function isStandardQuotaResource(name: string): boolean {
  return STANDARD_QUOTA_RESOURCES.has(name) || name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
}

function validateQuotaResourceName(name: string, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const m of isQualifiedName(name)) errs.push(fieldErr.invalid(fld, name, m));
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCES.has(name) && !name.startsWith('hugepages-') && !name.startsWith('requests.hugepages-')) {
      errs.push(fieldErr.invalid(fld, name, 'must be a standard resource type or fully qualified'));
    }
    if (!isStandardQuotaResource(name)) errs.push(fieldErr.invalid(fld, name, 'must be a standard resource for quota'));
  }
  return errs;
}

function validateResourceList(list: unknown, fld: string): FieldError[] {
  if (!isObj(list)) return [];
  const errs: FieldError[] = [];
  for (const k of Object.keys(list).sort()) errs.push(...validateQuotaResourceName(k, `${fld}[${k}]`));
  errs.push(...validateResourceListValues(list, fld, '['));
  return errs;
}

const CONFLICTING = [['BestEffort', 'NotBestEffort'], ['Terminating', 'NotTerminating']];

function validateScopes(spec: Obj): FieldError[] {
  const scopes = arrayOf(spec.scopes).map(String);
  if (scopes.length === 0) return [];
  const errs: FieldError[] = [];
  const hard = Object.keys(isObj(spec.hard) ? spec.hard : {}).sort();
  for (const scope of scopes) {
    if (!QUOTA_SCOPES.includes(scope)) errs.push(fieldErr.invalid('spec.scopes', scopes, 'unsupported scope'));
    for (const k of hard) {
      if (isStandardQuotaResource(k) && !scopeAllowsResource(scope, k)) errs.push(fieldErr.invalid('spec.scopes', scopes, 'unsupported scope applied to resource'));
    }
  }
  for (const pair of CONFLICTING) {
    if (pair.every((p) => scopes.includes(p))) errs.push(fieldErr.invalid('spec.scopes', scopes, 'conflicting scopes'));
  }
  return errs;
}

function validateScopeSelector(spec: Obj): FieldError[] {
  if (!isObj(spec.scopeSelector)) return [];
  const errs: FieldError[] = [];
  const fld = 'spec.scopeSelector.matchExpressions';
  const hard = Object.keys(isObj(spec.hard) ? spec.hard : {}).sort();
  arrayOf(spec.scopeSelector.matchExpressions).forEach((e, i) => {
    if (!isObj(e)) return;
    const scope = String(e.scopeName ?? '');
    if (!QUOTA_SCOPES.includes(scope)) errs.push(fieldErr.invalid(path(path(fld, i), 'scopeName'), scope, 'unsupported scope'));
    const values = arrayOf(e.values);
    const op = String(e.operator ?? '');
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) errs.push(fieldErr.invalid(path(fld, i), e, "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) errs.push(fieldErr.invalid(path(fld, i), e, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
    } else {
      errs.push(fieldErr.invalid(path(path(fld, i), 'operator'), op, 'not a valid selector operator'));
    }
    for (const k of hard) {
      if (isStandardQuotaResource(k) && !scopeAllowsResource(scope, k)) errs.push(fieldErr.invalid(fld, spec.scopeSelector.matchExpressions, 'unsupported scope applied to resource'));
    }
  });
  return errs;
}

function validateQuota(rq: KubeObject): FieldError[] {
  const spec = specOf(rq);
  const status = statusOf(rq);
  return [
    ...validateResourceList(spec.hard, 'spec.hard'),
    ...validateScopes(spec),
    ...validateScopeSelector(spec),
    ...validateResourceList(status.hard, 'status.hard'),
    ...validateResourceList(status.used, 'status.used'),
  ];
}

function defaultQuota(rq: KubeObject): void {
  const spec = specOf(rq);
  if (isObj(spec.hard)) normalizeQuantities(spec.hard);
  const status = statusOf(rq);
  if (isObj(status.hard)) normalizeQuantities(status.hard);
  if (isObj(status.used)) normalizeQuantities(status.used);
}

/** kube's REQUEST and LIMIT cells: `pods: 2/3, requests.cpu: 200m/1`, limits.* in the second column. */
export function quotaColumns(rq: KubeObject): [string, string] {
  const hardSpec = isObj(specOf(rq).hard) ? specOf(rq).hard : {};
  const status = statusOf(rq);
  const used = isObj(status.used) ? status.used : {};
  const hard = isObj(status.hard) ? status.hard : {};
  const req: string[] = [];
  const lim: string[] = [];
  for (const name of Object.keys(hardSpec).sort()) {
    const text = `${name}: ${quantityOf(used[name])?.toString() ?? '0'}/${quantityOf(hard[name])?.toString() ?? '0'}`;
    const pieces = name.split('.');
    (pieces.length > 1 && pieces[0] === 'limits' ? lim : req).push(text);
  }
  return [req.join(', '), lim.join(', ')];
}

export const resourceQuotaDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  listKind: 'ResourceQuotaList',
  plural: 'resourcequotas',
  singular: 'resourcequota',
  shortNames: ['quota'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE],
  schemaType: 'io.k8s.api.core.v1.ResourceQuota',
  hasStatus: true,
  defaultPropagation: 'Background',
  defaults: defaultQuota,
  prepareForCreate(rq) {
    rq.status = {};
  },
  prepareForUpdate(rq, old) {
    rq.status = old.status;
  },
  validate: validateQuota,
  table: {
    columns: [
      nameColumn,
      { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
      { name: 'Request', type: 'string', format: '', description: 'Request represents a minimum amount of cpu/memory that a container may consume.', priority: 0 },
      { name: 'Limit', type: 'string', format: '', description: 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.', priority: 0 },
    ],
    cells(rq, now) {
      const [req, lim] = quotaColumns(rq);
      return [rq.metadata.name, objectAge(rq, now), req, lim];
    },
  },
};
