// Pod spec defaulting and validation shared by Pod, PodTemplate and every workload kind that embeds a pod
// template. Paths and messages follow kube-apiserver (pkg/apis/core/validation) so kubectl prints the same errors.
import { fieldErr, key, path } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { validateLabels } from '../selectors/labels.js';
import { validateAnnotations } from '../validation/meta.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../validation/names.js';
import {
  type ContainerContext,
  validateContainers,
  validateEphemeralContainers,
  validateInitContainers,
} from './podspec-containers.js';
import {
  validateAffinity,
  validateDNSConfig,
  validateHostAliases,
  validatePodSecurityContext,
  validateShareProcessNamespace,
  validateTolerations,
  validateTopologySpreadConstraints,
} from './podspec-placement.js';
import { validateVolumes } from './podspec-volumes.js';
import { quantityOf } from './quantity-helpers.js';

export { defaultPodSpec, defaultPodTemplateSpec } from './podspec-defaults.js';
export { isRestartableInitContainer, notFound } from './podspec-containers.js';
export { validateTolerations } from './podspec-placement.js';

export interface PodSpecValidationOptions {
  /** The spec belongs to a Pod object rather than a template (stricter hostNetwork port rule). */
  resourceIsPod?: boolean;
  /** The pod's name, when known; generic ephemeral volumes derive claim names from it. */
  podName?: string;
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
export const INT32_MAX = 2147483647;

export function validatePodSpec(spec: any, fld: string, opts: PodSpecValidationOptions = {}): FieldError[] {
  const s = spec && typeof spec === 'object' ? spec : {};
  const errs: FieldError[] = [];
  if (s.terminationGracePeriodSeconds === undefined || s.terminationGracePeriodSeconds === null) {
    errs.push(fieldErr.required(path(fld, 'terminationGracePeriodSeconds')));
  }
  const gracePeriod = typeof s.terminationGracePeriodSeconds === 'number' ? s.terminationGracePeriodSeconds : undefined;
  const hostUsers = s.hostUsers !== false;
  const vols = validateVolumes(s.volumes, path(fld, 'volumes'), opts.podName);
  errs.push(...vols.errs);
  const claims = validateResourceClaims(s.resourceClaims, path(fld, 'resourceClaims'));
  errs.push(...claims.errs);
  const ctx: ContainerContext = {
    volumes: vols.byName,
    podClaimNames: claims.names,
    gracePeriod,
    restartPolicy: typeof s.restartPolicy === 'string' ? s.restartPolicy : '',
    hostUsers,
  };
  errs.push(...validateContainers(s.containers, path(fld, 'containers'), ctx));
  errs.push(...validateInitContainers(s.initContainers, s.containers, path(fld, 'initContainers'), ctx));
  errs.push(...validateEphemeralContainers(s.ephemeralContainers, s.containers, s.initContainers, path(fld, 'ephemeralContainers'), ctx));
  errs.push(...validateHostNetworkPorts(s, fld, opts.resourceIsPod === true));
  errs.push(...oneOf(s.restartPolicy, RESTART_POLICIES, path(fld, 'restartPolicy')));
  errs.push(...oneOf(s.dnsPolicy, DNS_POLICIES, path(fld, 'dnsPolicy')));
  errs.push(...validateLabels(s.nodeSelector, path(fld, 'nodeSelector')));
  errs.push(...validatePodSecurityContext(s.securityContext, path(fld, 'securityContext')));
  errs.push(...validateShareProcessNamespace(s, fld));
  errs.push(...validateImagePullSecrets(s.imagePullSecrets, path(fld, 'imagePullSecrets')));
  errs.push(...validateAffinity(s.affinity, path(fld, 'affinity')));
  errs.push(...validateDNSConfig(s.dnsConfig, s.dnsPolicy, path(fld, 'dnsConfig')));
  errs.push(...validateReadinessGates(s.readinessGates, path(fld, 'readinessGates')));
  errs.push(...validateSchedulingGates(s.schedulingGates, path(fld, 'schedulingGates')));
  errs.push(...validateTopologySpreadConstraints(s.topologySpreadConstraints, path(fld, 'topologySpreadConstraints')));
  errs.push(...validateHostUsers(s, fld));
  errs.push(...subdomainName(s.serviceAccountName, path(fld, 'serviceAccountName')));
  errs.push(...subdomainName(s.nodeName, path(fld, 'nodeName')));
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (typeof v !== 'number' || v < 1 || v > INT32_MAX) {
      errs.push(fieldErr.invalid(path(fld, 'activeDeadlineSeconds'), v, `must be between 1 and ${INT32_MAX}, inclusive`));
    }
  }
  errs.push(...labelName(s.hostname, path(fld, 'hostname')));
  errs.push(...labelName(s.subdomain, path(fld, 'subdomain')));
  errs.push(...validateTolerations(s.tolerations, path(fld, 'tolerations')));
  errs.push(...validateHostAliases(s.hostAliases, path(fld, 'hostAliases')));
  errs.push(...subdomainName(s.priorityClassName, path(fld, 'priorityClassName')));
  if (s.runtimeClassName !== undefined && s.runtimeClassName !== null) {
    for (const m of isDNS1123Subdomain(String(s.runtimeClassName))) errs.push(fieldErr.invalid(path(fld, 'runtimeClassName'), s.runtimeClassName, m));
  }
  if (s.preemptionPolicy !== undefined && s.preemptionPolicy !== null) {
    errs.push(...oneOf(s.preemptionPolicy, ['PreemptLowerPriority', 'Never'], path(fld, 'preemptionPolicy')));
  }
  errs.push(...validateOverhead(s.overhead, path(fld, 'overhead')));
  if (s.os) errs.push(...validateOS(s.os, path(fld, 'os')));
  return errs;
}

/** A pod template: its metadata (kube reports these under `<fld>.labels`, not `<fld>.metadata.labels`) and spec. */
export function validatePodTemplateSpec(tpl: any, fld: string): FieldError[] {
  const t = tpl && typeof tpl === 'object' ? tpl : {};
  const meta = t.metadata ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateLabels(meta.labels, path(fld, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, path(fld, 'annotations')));
  errs.push(...validatePodAnnotations(meta.annotations, t.spec, path(fld, 'annotations')));
  errs.push(...validatePodSpec(t.spec, path(fld, 'spec')));
  if (Array.isArray(t.spec?.ephemeralContainers) && t.spec.ephemeralContainers.length > 0) {
    errs.push(fieldErr.forbidden(path(path(fld, 'spec'), 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
export const MIRROR_POD = 'kubernetes.io/config.mirror';
export const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** Annotations with meaning for pods: deletion cost, mirror pods, legacy AppArmor profiles. */
export function validatePodAnnotations(annotations: any, spec: any, fld: string): FieldError[] {
  if (!annotations || typeof annotations !== 'object') return [];
  const errs: FieldError[] = [];
  if (MIRROR_POD in annotations && !spec?.nodeName) {
    errs.push(fieldErr.invalid(key(fld, MIRROR_POD), annotations[MIRROR_POD], 'must set spec.nodeName if mirror pod annotation is set'));
  }
  if (DELETION_COST in annotations && !isInt32Text(String(annotations[DELETION_COST]))) {
    errs.push(fieldErr.invalid(key(fld, DELETION_COST), annotations[DELETION_COST], 'must be a 32bit integer'));
  }
  for (const [k, v] of Object.entries(annotations)) {
    if (!k.startsWith(APPARMOR_PREFIX)) continue;
    const container = k.slice(APPARMOR_PREFIX.length);
    if (!allContainers(spec).some((c: any) => c?.name === container)) errs.push(fieldErr.invalid(key(fld, k), container, 'container not found'));
    const profile = String(v);
    if (profile !== '' && profile !== 'runtime/default' && profile !== 'unconfined' && !profile.startsWith('localhost/')) {
      errs.push(fieldErr.invalid(key(fld, k), profile, `invalid AppArmor profile name: ${JSON.stringify(profile)}`));
    }
  }
  return errs;
}

function isInt32Text(s: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(s)) return false;
  const n = Number(s);
  return n >= -2147483648 && n <= INT32_MAX;
}

export function allContainers(spec: any): any[] {
  const out: any[] = [];
  for (const k of ['initContainers', 'containers', 'ephemeralContainers']) if (Array.isArray(spec?.[k])) out.push(...spec[k]);
  return out;
}

function oneOf(v: unknown, valid: string[], fld: string): FieldError[] {
  if (v === undefined || v === null || v === '') return [fieldErr.required(fld)];
  return valid.includes(v as string) ? [] : [fieldErr.notSupported(fld, v, valid)];
}

function subdomainName(v: unknown, fld: string): FieldError[] {
  if (typeof v !== 'string' || v.length === 0) return [];
  return isDNS1123Subdomain(v).map((m) => fieldErr.invalid(fld, v, m));
}

function labelName(v: unknown, fld: string): FieldError[] {
  if (typeof v !== 'string' || v.length === 0) return [];
  return isDNS1123Label(v).map((m) => fieldErr.invalid(fld, v, m));
}

function validateResourceClaims(claims: unknown, fld: string): { names: Set<string>; errs: FieldError[] } {
  const names = new Set<string>();
  const errs: FieldError[] = [];
  if (!Array.isArray(claims)) return { names, errs };
  for (const c of claims) if (typeof c?.name === 'string' && c.name) names.add(c.name);
  const seen = new Set<string>();
  claims.forEach((c: any, i) => {
    const p = path(fld, i);
    const name = typeof c?.name === 'string' ? c.name : '';
    if (!name) errs.push(fieldErr.required(path(p, 'name')));
    else if (seen.has(name)) errs.push(fieldErr.duplicate(path(p, 'name'), name));
    else {
      for (const m of isDNS1123Label(name)) errs.push(fieldErr.invalid(path(p, 'name'), name, m));
      seen.add(name);
    }
    const byName = c?.resourceClaimName !== undefined && c?.resourceClaimName !== null;
    const byTemplate = c?.resourceClaimTemplateName !== undefined && c?.resourceClaimTemplateName !== null;
    if (byName && byTemplate) errs.push(fieldErr.invalid(p, c, 'at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified'));
    if (!byName && !byTemplate) errs.push(fieldErr.invalid(p, c, 'must specify one of: `resourceClaimName`, `resourceClaimTemplateName`'));
  });
  return { names, errs };
}

// With host networking a container port is a host port; a Pod must spell that out (defaulting does it), a
// template may leave hostPort unset.
function validateHostNetworkPorts(spec: any, fld: string, resourceIsPod: boolean): FieldError[] {
  if (spec.hostNetwork !== true) return [];
  const errs: FieldError[] = [];
  (Array.isArray(spec.containers) ? spec.containers : []).forEach((c: any, i: number) => {
    (Array.isArray(c?.ports) ? c.ports : []).forEach((port: any, j: number) => {
      const hp = port?.hostPort ?? 0;
      const cp = port?.containerPort ?? 0;
      if ((resourceIsPod || hp !== 0) && hp !== cp) {
        errs.push(fieldErr.invalid(path(path(path(path(fld, 'containers'), i), 'ports'), j) + '.hostPort', hp, 'must match `containerPort` when `hostNetwork` is true'));
      }
    });
  });
  return errs;
}

function validateImagePullSecrets(secrets: unknown, fld: string): FieldError[] {
  if (!Array.isArray(secrets)) return [];
  const errs: FieldError[] = [];
  secrets.forEach((s: any, i) => {
    if (s && typeof s === 'object' && Object.keys(s).some((k) => k !== 'name')) errs.push(fieldErr.invalid(path(fld, i), s, 'only name may be set'));
  });
  return errs;
}

function validateReadinessGates(gates: unknown, fld: string): FieldError[] {
  if (!Array.isArray(gates)) return [];
  const errs: FieldError[] = [];
  gates.forEach((g: any, i) => {
    const t = String(g?.conditionType ?? '');
    for (const m of isQualifiedName(t)) errs.push(fieldErr.invalid(path(path(fld, i), 'conditionType'), t, m));
  });
  return errs;
}

function validateSchedulingGates(gates: unknown, fld: string): FieldError[] {
  if (!Array.isArray(gates)) return [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  gates.forEach((g: any, i) => {
    const n = String(g?.name ?? '');
    for (const m of isQualifiedName(n)) errs.push(fieldErr.invalid(path(fld, i), n, m));
    if (seen.has(n)) errs.push(fieldErr.duplicate(path(fld, i), n));
    seen.add(n);
  });
  return errs;
}

function validateHostUsers(spec: any, fld: string): FieldError[] {
  if (spec.hostUsers !== false) return [];
  const errs: FieldError[] = [];
  // kube names the last two with capitals (sic).
  if (spec.hostNetwork === true) errs.push(fieldErr.forbidden(path(fld, 'hostNetwork'), 'when `pod.Spec.HostUsers` is false'));
  if (spec.hostPID === true) errs.push(fieldErr.forbidden(path(fld, 'HostPID'), 'when `pod.Spec.HostUsers` is false'));
  if (spec.hostIPC === true) errs.push(fieldErr.forbidden(path(fld, 'HostIPC'), 'when `pod.Spec.HostUsers` is false'));
  return errs;
}

function validateOverhead(overhead: unknown, fld: string): FieldError[] {
  if (!overhead || typeof overhead !== 'object') return [];
  const errs: FieldError[] = [];
  for (const [name, v] of Object.entries(overhead)) {
    const q = quantityOf(v);
    const p = key(path(fld, 'limits'), name);
    if (!q) errs.push(fieldErr.invalid(p, v, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    else if (q.sign < 0) errs.push(fieldErr.invalid(p, q.toString(), 'must be greater than or equal to 0'));
  }
  return errs;
}

function validateOS(os: any, fld: string): FieldError[] {
  const name = os?.name ?? '';
  if (!name) return [fieldErr.required(path(fld, 'name'))];
  if (name !== 'linux' && name !== 'windows') return [fieldErr.notSupported(path(fld, 'name'), name, ['linux', 'windows'])];
  return [];
}
