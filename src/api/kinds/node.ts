// core/v1 Node: status defaults, taint and podCIDR rules, and `kubectl get nodes` (STATUS, ROLES, wide columns).
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, path } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import { labelKeyErrors, labelValueErrors } from '../selectors/labels.js';
import type { FieldError, KubeObject } from '../types.js';
import { STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { invalidRaw } from './go-render.js';
import { ipFamilyOf, validateCIDR } from './ip-validation.js';
import { arrayOf, ensureObj, isObj, type Obj, specOf, statusOf } from './object-helpers.js';
import { TAINT_EFFECTS } from './podspec-placement.js';
import { validateResourceListValues } from './quantity-helpers.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

function defaultNode(node: KubeObject): void {
  const spec = specOf(node);
  // v1 keeps podCIDR next to the podCIDRs list; the two always agree once stored.
  if (spec.podCIDR && arrayOf(spec.podCIDRs).length === 0) spec.podCIDRs = [spec.podCIDR];
  const cidrs = arrayOf(spec.podCIDRs);
  if (cidrs.length > 0) spec.podCIDR = cidrs[0];
  const status = isObj(node.status) ? node.status : undefined;
  if (status && status.allocatable == null && isObj(status.capacity)) status.allocatable = { ...status.capacity };
}

const NODE_INFO_FIELDS = [
  'architecture', 'bootID', 'containerRuntimeVersion', 'kernelVersion', 'kubeProxyVersion', 'kubeletVersion', 'machineID',
  'operatingSystem', 'osImage', 'systemUUID',
];

// Go always serializes these struct fields, so a node created without status still shows them empty.
function fillStatusZeroValues(status: Obj): void {
  const endpoint = ensureObj(ensureObj(status, 'daemonEndpoints'), 'kubeletEndpoint');
  endpoint.Port ??= 0;
  const info = ensureObj(status, 'nodeInfo');
  for (const k of NODE_INFO_FIELDS) info[k] ??= '';
}

function goTaint(t: Obj): string {
  return `core.Taint{Key:${JSON.stringify(t.key ?? '')}, Value:${JSON.stringify(t.value ?? '')}, Effect:${JSON.stringify(t.effect ?? '')}, TimeAdded:<nil>}`;
}

// kube reports taint problems under metadata.taints, not spec.taints; kept for identical messages.
function validateTaints(taints: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, Set<string>>();
  taints.forEach((raw, i) => {
    const t = isObj(raw) ? raw : {};
    const p = path('metadata.taints', i);
    for (const m of labelKeyErrors(String(t.key ?? ''))) errs.push(fieldErr.invalid(path(p, 'key'), t.key ?? '', m));
    const valueErrs = labelValueErrors(String(t.value ?? ''));
    if (valueErrs.length) errs.push(fieldErr.invalid(path(p, 'value'), t.value ?? '', valueErrs.join(';')));
    if (!t.effect) errs.push(fieldErr.required(path(p, 'effect')));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(fieldErr.notSupported(path(p, 'effect'), t.effect, TAINT_EFFECTS));
    const keys = seen.get(t.effect) ?? new Set<string>();
    if (keys.has(t.key)) {
      errs.push({ reason: 'FieldValueDuplicate', field: p, message: `Duplicate value: ${goTaint(t)}: taints must be unique by key and effect pair` });
      return;
    }
    keys.add(t.key);
    seen.set(t.effect, keys);
  });
  return errs;
}

function validatePodCIDRs(cidrs: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  const fld = 'spec.podCIDRs';
  cidrs.forEach((c, i) => errs.push(...validateCIDR(path(fld, i), String(c))));
  if (cidrs.length > 1) {
    const fams = new Set(cidrs.map((c) => ipFamilyOf(String(c).split('/')[0] ?? '')));
    if (fams.size !== cidrs.length || cidrs.length > 2) {
      errs.push(invalidRaw(fld, `[]string{${cidrs.map((c) => JSON.stringify(c)).join(', ')}}`, 'may specify no more than one CIDR for each IP family'));
    }
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(String(c))) errs.push(fieldErr.duplicate(path(fld, i), c));
      seen.add(String(c));
    });
  }
  return errs;
}

function validateNode(node: KubeObject): FieldError[] {
  const status = statusOf(node);
  return [
    ...validateTaints(arrayOf(specOf(node).taints)),
    ...validateResourceListValues(status.capacity, 'status.capacity', '.'),
    ...validateResourceListValues(status.allocatable, 'status.allocatable', '.'),
    ...validatePodCIDRs(arrayOf(specOf(node).podCIDRs)),
  ];
}

function validateNodeUpdate(node: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arrayOf(statusOf(node).addresses).forEach((a, i) => {
    const k = JSON.stringify([(a as Obj)?.type, (a as Obj)?.address]);
    if (seen.has(k)) {
      errs.push({ reason: 'FieldValueDuplicate', field: path('status.addresses', i), message: `Duplicate value: core.NodeAddress{Type:${JSON.stringify((a as Obj)?.type ?? '')}, Address:${JSON.stringify((a as Obj)?.address ?? '')}}` });
    }
    seen.add(k);
  });
  const oldCIDRs = arrayOf(specOf(old).podCIDRs);
  const newCIDRs = arrayOf(specOf(node).podCIDRs);
  const cidrMsg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCIDRs.length > 0) {
    if (oldCIDRs.length !== newCIDRs.length) errs.push(fieldErr.forbidden('spec.podCIDRs', cidrMsg));
    else oldCIDRs.forEach((c, i) => c !== newCIDRs[i] && errs.push(fieldErr.forbidden('spec.podCIDRs', cidrMsg)));
  }
  const oldProvider = specOf(old).providerID;
  if (oldProvider && oldProvider !== specOf(node).providerID) {
    errs.push(fieldErr.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  if ((specOf(node).externalID ?? '') !== (specOf(old).externalID ?? '')) errs.push(fieldErr.forbidden('spec.externalID', 'may not be updated'));
  return errs;
}

function condition(node: KubeObject, type: string): Obj | undefined {
  return arrayOf(statusOf(node).conditions).find((c) => isObj(c) && c.type === type) as Obj | undefined;
}

function statusCell(node: KubeObject): string {
  const ready = condition(node, 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (specOf(node).unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === ROLE_LABEL && v) roles.add(v);
  }
  return [...roles].sort();
}

function address(node: KubeObject, type: string): string {
  const a = arrayOf(statusOf(node).addresses).find((x) => isObj(x) && x.type === type) as Obj | undefined;
  return a?.address ?? '<none>';
}

function orUnknown(v: unknown): string {
  return typeof v === 'string' && v ? v : '<unknown>';
}

export const nodeDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'Node',
  listKind: 'NodeList',
  plural: 'nodes',
  singular: 'node',
  shortNames: ['no'],
  categories: [],
  namespaced: false,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE],
  schemaType: 'io.k8s.api.core.v1.Node',
  hasStatus: true,
  defaultPropagation: 'Background',
  defaults: defaultNode,
  // A node registers itself with its status in one write, so create keeps whatever status it was given.
  prepareForCreate(node) {
    delete ensureObj(node as Obj, 'spec').configSource;
    fillStatusZeroValues(ensureObj(node as Obj, 'status'));
  },
  prepareForUpdate(node, old) {
    node.status = old.status;
    if (specOf(old).configSource === undefined) delete ensureObj(node as Obj, 'spec').configSource;
  },
  validate: validateNode,
  validateUpdate: validateNodeUpdate,
  fieldLabels: {
    'spec.unschedulable': (node) => String(specOf(node).unschedulable === true),
  },
  table: {
    columns: [
      nameColumn,
      col('Status'),
      col('Roles'),
      ageColumn,
      col('Version'),
      col('Internal-IP', 'string', 1),
      col('External-IP', 'string', 1),
      col('OS-Image', 'string', 1),
      col('Kernel-Version', 'string', 1),
      col('Container-Runtime', 'string', 1),
    ],
    cells(node, now) {
      const info = isObj(statusOf(node).nodeInfo) ? statusOf(node).nodeInfo : {};
      const roles = nodeRoles(node).join(',');
      return [
        node.metadata.name,
        statusCell(node),
        roles || '<none>',
        objectAge(node, now),
        info.kubeletVersion ?? '',
        address(node, 'InternalIP'),
        address(node, 'ExternalIP'),
        orUnknown(info.osImage),
        orUnknown(info.kernelVersion),
        orUnknown(info.containerRuntimeVersion),
      ];
    },
  },
};
