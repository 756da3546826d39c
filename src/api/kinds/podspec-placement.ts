// Validation of the pod-level fields that steer scheduling and the sandbox: tolerations, affinity, spread
// constraints, DNS, host aliases and the pod security context.
import { isIP } from 'node:net';
import { fieldErr, path } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../validation/names.js';
import { validateAppArmorProfile, validateSeccompProfile, validIdErrors } from './podspec-security.js';
import { validateLabelSelectorField } from './podspec-selectors.js';

function labelName(k: string, fld: string): FieldError[] {
  return isQualifiedName(k).map((m) => fieldErr.invalid(fld, k, m));
}

function validIP(v: unknown, fld: string): FieldError[] {
  return typeof v === 'string' && isIP(v) !== 0 ? [] : [fieldErr.invalid(fld, v ?? '', 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTolerations(tolerations: unknown, fld: string): FieldError[] {
  if (!Array.isArray(tolerations)) return [];
  const errs: FieldError[] = [];
  tolerations.forEach((t: any, i) => {
    const p = path(fld, i);
    t ??= {};
    const k = typeof t.key === 'string' ? t.key : '';
    const op = t.operator ?? '';
    const value = typeof t.value === 'string' ? t.value : '';
    const effect = t.effect ?? '';
    if (k) errs.push(...labelName(k, path(p, 'key')));
    if (!k && op !== 'Exists') {
      errs.push(fieldErr.invalid(path(p, 'operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && effect !== 'NoExecute') {
      errs.push(fieldErr.invalid(path(p, 'effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === 'Equal' || op === '') {
      const problems = isValidLabelValue(value);
      if (problems.length > 0) errs.push(fieldErr.invalid(path(p, 'operator'), value, problems.join(';')));
    } else if (op === 'Exists') {
      if (value) errs.push(fieldErr.invalid(path(p, 'operator'), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(fieldErr.notSupported(path(p, 'operator'), op, ['Equal', 'Exists']));
    }
    if (effect && !TAINT_EFFECTS.includes(effect)) errs.push(fieldErr.notSupported(path(p, 'effect'), effect, TAINT_EFFECTS));
  });
  return errs;
}

function nodeSelectorRequirement(rq: any, fld: string, checkValues: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const values: unknown[] = Array.isArray(rq?.values) ? rq.values : [];
  switch (rq?.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(fieldErr.required(path(fld, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(fieldErr.forbidden(path(fld, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(fieldErr.required(path(fld, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(fieldErr.invalid(path(fld, 'operator'), rq?.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...labelName(String(rq?.key ?? ''), path(fld, 'key')));
  if (checkValues) {
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(String(v))) errs.push(fieldErr.invalid(path(path(fld, 'values'), j), v, m));
    });
  }
  return errs;
}

function nodeFieldRequirement(rq: any, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const values: unknown[] = Array.isArray(rq?.values) ? rq.values : [];
  if (rq?.operator === 'In' || rq?.operator === 'NotIn') {
    if (values.length !== 1) errs.push(fieldErr.required(path(fld, 'values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else {
    errs.push(fieldErr.invalid(path(fld, 'operator'), rq?.operator ?? '', 'not a valid selector operator'));
  }
  if (rq?.key !== 'metadata.name') errs.push(fieldErr.invalid(path(fld, 'key'), rq?.key ?? '', 'not a valid field selector key'));
  else values.forEach((v, j) => {
    for (const m of isDNS1123Subdomain(String(v))) errs.push(fieldErr.invalid(path(path(fld, 'values'), j), v, m));
  });
  return errs;
}

function nodeSelectorTerm(term: any, fld: string, checkValues: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (Array.isArray(term?.matchExpressions) ? term.matchExpressions : []).forEach((rq: any, j: number) =>
    errs.push(...nodeSelectorRequirement(rq, path(path(fld, 'matchExpressions'), j), checkValues)));
  (Array.isArray(term?.matchFields) ? term.matchFields : []).forEach((rq: any, j: number) =>
    errs.push(...nodeFieldRequirement(rq, path(path(fld, 'matchFields'), j))));
  return errs;
}

function weight(w: unknown, fld: string): FieldError[] {
  const n = typeof w === 'number' ? w : 0;
  return n <= 0 || n > 100 ? [fieldErr.invalid(fld, n, 'must be in the range 1-100')] : [];
}

function podAffinityTerm(term: any, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelectorField(term?.labelSelector, path(fld, 'labelSelector')));
  errs.push(...validateLabelSelectorField(term?.namespaceSelector, path(fld, 'namespaceSelector')));
  for (const ns of Array.isArray(term?.namespaces) ? term.namespaces : []) {
    for (const m of isDNS1123Label(String(ns))) errs.push(fieldErr.invalid(path(fld, 'namespace'), ns, m));
  }
  const topologyKey = typeof term?.topologyKey === 'string' ? term.topologyKey : '';
  if (!topologyKey) errs.push(fieldErr.required(path(fld, 'topologyKey'), 'can not be empty'));
  errs.push(...labelName(topologyKey, path(fld, 'topologyKey')));
  return errs;
}

function podAffinity(a: any, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const req = a?.requiredDuringSchedulingIgnoredDuringExecution;
  if (Array.isArray(req)) {
    req.forEach((t: any, i: number) => errs.push(...podAffinityTerm(t, path(path(fld, 'requiredDuringSchedulingIgnoredDuringExecution'), i))));
  }
  const pref = a?.preferredDuringSchedulingIgnoredDuringExecution;
  if (Array.isArray(pref)) {
    pref.forEach((t: any, i: number) => {
      const p = path(path(fld, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      errs.push(...weight(t?.weight, path(p, 'weight')));
      errs.push(...podAffinityTerm(t?.podAffinityTerm, path(p, 'podAffinityTerm')));
    });
  }
  return errs;
}

export function validateAffinity(aff: any, fld: string): FieldError[] {
  if (!aff || typeof aff !== 'object') return [];
  const errs: FieldError[] = [];
  const na = aff.nodeAffinity;
  if (na) {
    const p = path(fld, 'nodeAffinity');
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (req) {
      const termsPath = path(path(p, 'requiredDuringSchedulingIgnoredDuringExecution'), 'nodeSelectorTerms');
      const terms = Array.isArray(req.nodeSelectorTerms) ? req.nodeSelectorTerms : [];
      if (terms.length === 0) errs.push(fieldErr.required(termsPath, 'must have at least one node selector term'));
      terms.forEach((t: any, i: number) => errs.push(...nodeSelectorTerm(t, path(termsPath, i), true)));
    }
    const pref = na.preferredDuringSchedulingIgnoredDuringExecution;
    if (Array.isArray(pref)) {
      pref.forEach((t: any, i: number) => {
        const tp = path(path(p, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
        errs.push(...weight(t?.weight, path(tp, 'weight')));
        // Preferred terms tolerate bad label values: they may still match on a single-node cluster.
        errs.push(...nodeSelectorTerm(t?.preference, path(tp, 'preference'), false));
      });
    }
  }
  if (aff.podAffinity) errs.push(...podAffinity(aff.podAffinity, path(fld, 'podAffinity')));
  if (aff.podAntiAffinity) errs.push(...podAffinity(aff.podAntiAffinity, path(fld, 'podAntiAffinity')));
  return errs;
}

export function validateTopologySpreadConstraints(list: unknown, fld: string): FieldError[] {
  if (!Array.isArray(list)) return [];
  const errs: FieldError[] = [];
  list.forEach((c: any, i) => {
    const p = path(fld, i);
    c ??= {};
    const maxSkew = typeof c.maxSkew === 'number' ? c.maxSkew : 0;
    if (maxSkew <= 0) errs.push(fieldErr.invalid(path(p, 'maxSkew'), maxSkew, 'must be greater than zero'));
    const key = typeof c.topologyKey === 'string' ? c.topologyKey : '';
    if (!key) errs.push(fieldErr.required(path(p, 'topologyKey'), 'can not be empty'));
    else errs.push(...labelName(key, path(p, 'topologyKey')));
    const when = c.whenUnsatisfiable ?? '';
    if (when !== 'DoNotSchedule' && when !== 'ScheduleAnyway') {
      errs.push(fieldErr.notSupported(path(p, 'whenUnsatisfiable'), when, ['DoNotSchedule', 'ScheduleAnyway']));
    }
    const repeated = list.slice(i + 1).some((o: any) => o?.topologyKey === c.topologyKey && o?.whenUnsatisfiable === c.whenUnsatisfiable);
    if (repeated) errs.push(fieldErr.duplicate(path(p, '{topologyKey, whenUnsatisfiable}'), `{${key}, ${when}}`));
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (when !== 'DoNotSchedule') {
        errs.push(fieldErr.invalid(path(p, 'minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${when}`));
      }
      if (c.minDomains <= 0) errs.push(fieldErr.invalid(path(p, 'minDomains'), c.minDomains, 'must be greater than zero'));
    }
    for (const k of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      if (c[k] !== undefined && c[k] !== null && c[k] !== 'Honor' && c[k] !== 'Ignore') {
        errs.push(fieldErr.notSupported(path(p, k), c[k], ['Honor', 'Ignore']));
      }
    }
    errs.push(...validateLabelSelectorField(c.labelSelector, path(p, 'labelSelector')));
  });
  return errs;
}

export function validateDNSConfig(cfg: any, dnsPolicy: unknown, fld: string): FieldError[] {
  if (dnsPolicy === 'None') {
    if (!cfg) return [fieldErr.required(fld, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (!Array.isArray(cfg.nameservers) || cfg.nameservers.length === 0) {
      return [fieldErr.required(path(fld, 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
    }
  }
  if (!cfg || typeof cfg !== 'object') return [];
  const errs: FieldError[] = [];
  const ns: unknown[] = Array.isArray(cfg.nameservers) ? cfg.nameservers : [];
  if (ns.length > 3) errs.push(fieldErr.invalid(path(fld, 'nameservers'), ns, 'must not have more than 3 nameservers'));
  ns.forEach((v, i) => errs.push(...validIP(v, path(path(fld, 'nameservers'), i))));
  const searches: string[] = Array.isArray(cfg.searches) ? cfg.searches.map(String) : [];
  if (searches.length > 32) errs.push(fieldErr.invalid(path(fld, 'searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) {
    errs.push(fieldErr.invalid(path(fld, 'searches'), searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  }
  searches.forEach((s, i) => {
    const trimmed = s.endsWith('.') ? s.slice(0, -1) : s;
    for (const m of isDNS1123Subdomain(trimmed)) errs.push(fieldErr.invalid(path(path(fld, 'searches'), i), trimmed, m));
  });
  (Array.isArray(cfg.options) ? cfg.options : []).forEach((o: any, i: number) => {
    if (!o?.name) errs.push(fieldErr.required(path(path(fld, 'options'), i), 'must not be empty'));
  });
  return errs;
}

export function validateHostAliases(aliases: unknown, fld: string): FieldError[] {
  if (!Array.isArray(aliases)) return [];
  const errs: FieldError[] = [];
  aliases.forEach((a: any, i) => {
    const p = path(fld, i);
    errs.push(...validIP(a?.ip, path(p, 'ip')));
    (Array.isArray(a?.hostnames) ? a.hostnames : []).forEach((h: unknown, j: number) => {
      for (const m of isDNS1123Subdomain(String(h))) errs.push(fieldErr.invalid(path(path(p, 'hostnames'), j), h, m));
    });
  });
  return errs;
}

const SYSCTL_RE = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;

export function validatePodSecurityContext(sc: any, fld: string): FieldError[] {
  if (!sc || typeof sc !== 'object') return [];
  const errs: FieldError[] = [];
  errs.push(...validIdErrors(sc.fsGroup, path(fld, 'fsGroup')));
  errs.push(...validIdErrors(sc.runAsUser, path(fld, 'runAsUser')));
  errs.push(...validIdErrors(sc.runAsGroup, path(fld, 'runAsGroup')));
  (Array.isArray(sc.supplementalGroups) ? sc.supplementalGroups : []).forEach((g: unknown, i: number) =>
    errs.push(...validIdErrors(g, path(path(fld, 'supplementalGroups'), i))));
  const sysctls = Array.isArray(sc.sysctls) ? sc.sysctls : [];
  const seen = new Set<string>();
  sysctls.forEach((s: any, i: number) => {
    const p = path(path(path(fld, 'sysctls'), i), 'name');
    const name = typeof s?.name === 'string' ? s.name : '';
    if (!name) errs.push(fieldErr.required(p));
    else if (name.length > 253 || !SYSCTL_RE.test(name)) {
      errs.push(fieldErr.invalid(p, name, `must have at most 253 characters and match regex ${SYSCTL_RE.source}`));
    } else if (seen.has(name)) errs.push(fieldErr.duplicate(p, name));
    seen.add(name);
  });
  if (sc.fsGroupChangePolicy !== undefined && sc.fsGroupChangePolicy !== null && !['Always', 'OnRootMismatch'].includes(sc.fsGroupChangePolicy)) {
    errs.push(fieldErr.notSupported(path(fld, 'fsGroupChangePolicy'), sc.fsGroupChangePolicy, ['Always', 'OnRootMismatch']));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path(fld, 'seccompProfile')));
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, path(fld, 'appArmorProfile')));
  if (sc.supplementalGroupsPolicy !== undefined && sc.supplementalGroupsPolicy !== null && !['Merge', 'Strict'].includes(sc.supplementalGroupsPolicy)) {
    errs.push(fieldErr.notSupported(path(fld, 'supplementalGroupsPolicy'), sc.supplementalGroupsPolicy, ['Merge', 'Strict']));
  }
  return errs;
}

/** shareProcessNamespace lives in the pod security context internally; the v1 field sits on the spec. */
export function validateShareProcessNamespace(spec: any, fld: string): FieldError[] {
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    return [fieldErr.invalid(path(path(fld, 'securityContext'), 'shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled')];
  }
  return [];
}
