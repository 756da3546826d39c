// Container environment (`env`, `envFrom`) and the downward-API selectors it shares with volumes.
import { fieldErr, path } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { maskTrailingDash } from '../validation/meta.js';
import { isDNS1123Subdomain, isQualifiedName } from '../validation/names.js';
import { configKeyProblems } from './data-keys.js';

// Since 1.32 names may be any printable ASCII except '=' (RelaxedEnvironmentVariableValidation is on by default).
export function envVarNameProblems(name: string): string[] {
  const errs: string[] = [];
  if (name.length === 0) errs.push('environment variable name must be non-empty');
  if (!/^[\x20-\x3c\x3e-\x7e]*$/.test(name)) {
    errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
  }
  return errs;
}

// Env sources name ConfigMap keys, so they follow the ConfigMap key rules.
export { configKeyProblems as configMapKeyProblems };

export function isValidConfigMapKey(k: string): boolean {
  return configKeyProblems(k).length === 0;
}

const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
].sort();

// Labels the downward API knows at all; anything else fails conversion before the per-use allow-list is consulted.
const CONVERTIBLE_FIELD_PATHS = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid',
  'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName', 'status.phase',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs', 'spec.host',
]);

function splitSubscript(fieldPath: string): { base: string; sub: string } | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const body = fieldPath.slice(0, -2);
  const at = body.indexOf("['");
  if (at <= 0) return undefined;
  return { base: body.slice(0, at), sub: body.slice(at + 2) };
}

export function validateObjectFieldSelector(fs: any, allowed: string[], fld: string): FieldError[] {
  if (!fs?.apiVersion) return [fieldErr.required(path(fld, 'apiVersion'))];
  if (!fs.fieldPath) return [fieldErr.required(path(fld, 'fieldPath'))];
  const fp = String(fs.fieldPath);
  const converr = (msg: string) => [fieldErr.invalid(path(fld, 'fieldPath'), fp, `error converting fieldPath: ${msg}`)];
  if (fs.apiVersion !== 'v1') return converr(`unsupported pod version: ${fs.apiVersion}`);
  const split = splitSubscript(fp);
  if (split) {
    if (split.base === 'metadata.annotations') return isQualifiedName(split.sub.toLowerCase()).map((m) => fieldErr.invalid(fld, split.sub.toLowerCase(), m));
    if (split.base === 'metadata.labels') return isQualifiedName(split.sub).map((m) => fieldErr.invalid(fld, split.sub, m));
    return converr(`field label does not support subscript: ${fp}`);
  }
  if (!CONVERTIBLE_FIELD_PATHS.has(fp)) return converr(`field label not supported: ${fp}`);
  const internal = fp === 'spec.host' ? 'spec.nodeName' : fp;
  if (!allowed.includes(internal)) return [fieldErr.notSupported(path(fld, 'fieldPath'), internal, allowed)];
  return [];
}

const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const MEMORY_DIVISORS = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];

export function validateResourceFieldSelector(fs: any, fld: string, inVolume: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const resource = typeof fs?.resource === 'string' ? fs.resource : '';
  if (inVolume && !fs?.containerName) errs.push(fieldErr.required(path(fld, 'containerName')));
  else if (!resource) errs.push(fieldErr.required(path(fld, 'resource')));
  else if (!RESOURCE_FIELD_PATHS.includes(resource) && !resource.startsWith('requests.hugepages-') && !resource.startsWith('limits.hugepages-')) {
    errs.push(fieldErr.notSupported(path(fld, 'resource'), resource, RESOURCE_FIELD_PATHS));
  }
  const divisor = fs?.divisor;
  if (divisor !== undefined && divisor !== null && String(divisor) !== '0') {
    const d = String(divisor);
    if ((resource === 'limits.cpu' || resource === 'requests.cpu') && !['1m', '1'].includes(d)) {
      errs.push(fieldErr.invalid(path(fld, 'divisor'), resource, 'only divisor\'s values 1m and 1 are supported with the cpu resource'));
    } else if ((resource === 'limits.memory' || resource === 'requests.memory') && !MEMORY_DIVISORS.includes(d)) {
      errs.push(fieldErr.invalid(path(fld, 'divisor'), resource, `only divisor's values ${MEMORY_DIVISORS.join(', ')} are supported with the memory resource`));
    } else if ((resource === 'limits.ephemeral-storage' || resource === 'requests.ephemeral-storage') && !MEMORY_DIVISORS.includes(d)) {
      errs.push(fieldErr.invalid(path(fld, 'divisor'), resource, `only divisor's values ${MEMORY_DIVISORS.join(', ')} are supported with the local ephemeral storage resource`));
    }
  }
  return errs;
}

function keySelector(s: any, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof s?.name === 'string' ? s.name : '';
  for (const m of isDNS1123Subdomain(name)) errs.push(fieldErr.invalid(path(fld, 'name'), name, m));
  if (!s?.key) errs.push(fieldErr.required(path(fld, 'key')));
  else for (const m of configKeyProblems(String(s.key))) errs.push(fieldErr.invalid(path(fld, 'key'), s.key, m));
  return errs;
}

export function validateEnv(vars: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(vars)) return errs;
  vars.forEach((ev: any, i) => {
    const idx = path(fld, i);
    const name = typeof ev?.name === 'string' ? ev.name : '';
    if (!name) errs.push(fieldErr.required(path(idx, 'name')));
    else for (const m of envVarNameProblems(name)) errs.push(fieldErr.invalid(path(idx, 'name'), name, m));
    errs.push(...validateValueFrom(ev ?? {}, path(idx, 'valueFrom')));
  });
  return errs;
}

function validateValueFrom(ev: any, fld: string): FieldError[] {
  const vf = ev.valueFrom;
  if (!vf || typeof vf !== 'object') return [];
  const errs: FieldError[] = [];
  let n = 0;
  if (vf.fieldRef) {
    n++;
    errs.push(...validateObjectFieldSelector(vf.fieldRef, ENV_FIELD_PATHS, path(fld, 'fieldRef')));
  }
  if (vf.resourceFieldRef) {
    n++;
    errs.push(...validateResourceFieldSelector(vf.resourceFieldRef, path(fld, 'resourceFieldRef'), false));
  }
  if (vf.configMapKeyRef) {
    n++;
    errs.push(...keySelector(vf.configMapKeyRef, path(fld, 'configMapKeyRef')));
  }
  if (vf.secretKeyRef) {
    n++;
    errs.push(...keySelector(vf.secretKeyRef, path(fld, 'secretKeyRef')));
  }
  if (n === 0) {
    errs.push(fieldErr.invalid(fld, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  } else if (typeof ev.value === 'string' && ev.value.length > 0) {
    errs.push(fieldErr.invalid(fld, '', 'may not be specified when `value` is not empty'));
  } else if (n > 1) {
    errs.push(fieldErr.invalid(fld, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

export function validateEnvFrom(sources: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(sources)) return errs;
  sources.forEach((src: any, i) => {
    const idx = path(fld, i);
    if (typeof src?.prefix === 'string' && src.prefix.length > 0) {
      for (const m of envVarNameProblems(src.prefix)) errs.push(fieldErr.invalid(path(idx, 'prefix'), src.prefix, m));
    }
    let n = 0;
    for (const kind of ['configMapRef', 'secretRef'] as const) {
      const ref = src?.[kind];
      if (!ref) continue;
      n++;
      const p = path(path(idx, kind), 'name');
      // envFrom names are checked as generateName prefixes (a trailing '-' is accepted), a quirk kept for compatibility.
      if (!ref.name) errs.push(fieldErr.required(p));
      else for (const m of isDNS1123Subdomain(maskTrailingDash(String(ref.name)))) errs.push(fieldErr.invalid(p, ref.name, m));
    }
    if (n === 0) errs.push(fieldErr.invalid(fld, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(fieldErr.invalid(fld, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}
