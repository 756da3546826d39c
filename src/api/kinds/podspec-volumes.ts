// Validation of `spec.volumes` with kube-apiserver's paths and wording. Only sources people actually use in a
// simulated cluster get their inner fields checked; the rest are accepted as long as exactly one source is given.
import { fieldErr, path } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../validation/names.js';
import { volumeSourceKeys } from './podspec-defaults.js';
import { validateObjectFieldSelector, validateResourceFieldSelector } from './podspec-env.js';

const FILE_MODE_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';

/** Result: the valid volumes by name (what mounts may refer to) and the errors. */
export function validateVolumes(volumes: unknown, fld: string, podName: string | undefined): { byName: Map<string, any>; errs: FieldError[] } {
  const byName = new Map<string, any>();
  const errs: FieldError[] = [];
  if (!Array.isArray(volumes)) return { byName, errs };
  const ephemeralClaims = new Set<string>();
  if (podName) for (const v of volumes) if (v?.ephemeral) ephemeralClaims.add(`${podName}-${v.name}`);
  volumes.forEach((vol: any, i) => {
    const idx = path(fld, i);
    const namePath = path(idx, 'name');
    const name = typeof vol?.name === 'string' ? vol.name : '';
    const el = validateVolumeSource(vol ?? {}, idx, name, podName);
    if (!name) el.push(fieldErr.required(namePath));
    else for (const m of isDNS1123Label(name)) el.push(fieldErr.invalid(namePath, name, m));
    if (byName.has(name)) el.push(fieldErr.duplicate(namePath, name));
    if (el.length === 0) byName.set(name, vol);
    else errs.push(...el);
    const claimName = vol?.persistentVolumeClaim?.claimName;
    if (typeof claimName === 'string' && ephemeralClaims.has(claimName)) {
      errs.push(fieldErr.invalid(path(path(idx, 'persistentVolumeClaim'), 'claimName'), claimName, 'must not reference a PVC that gets created for an ephemeral volume'));
    }
  });
  return { byName, errs };
}

// The child path kube reports for a second source differs from the JSON name in two places (sic).
const FORBIDDEN_PATH_NAME: Record<string, string> = { cephfs: 'cephFS', downwardAPI: 'downwarAPI' };

function validateVolumeSource(vol: any, fld: string, volName: string, podName: string | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const sources = volumeSourceKeys(vol);
  if (sources.length === 0) return [fieldErr.required(fld, 'must specify a volume type')];
  sources.forEach((src, n) => {
    if (n > 0) {
      errs.push(fieldErr.forbidden(path(fld, FORBIDDEN_PATH_NAME[src] ?? src), 'may not specify more than 1 volume type'));
      return;
    }
    errs.push(...validateOneSource(src, vol[src], path(fld, src), volName, podName, fld));
  });
  return errs;
}

function validateOneSource(src: string, s: any, fld: string, volName: string, podName: string | undefined, volPath: string): FieldError[] {
  const errs: FieldError[] = [];
  const req = (child: string) => {
    if (!s?.[child]) errs.push(fieldErr.required(path(fld, child)));
  };
  switch (src) {
    case 'emptyDir':
      break;
    case 'hostPath':
      if (!s?.path) return [fieldErr.required(path(fld, 'path'))];
      errs.push(...noBacksteps(s.path, path(fld, 'path')));
      if (s.type !== undefined && s.type !== null && !HOST_PATH_TYPES.includes(s.type)) {
        errs.push(fieldErr.notSupported(path(fld, 'type'), s.type, HOST_PATH_TYPES));
      }
      break;
    case 'secret':
      req('secretName');
      errs.push(...fileMode(s?.defaultMode, path(fld, 'defaultMode')));
      (Array.isArray(s?.items) ? s.items : []).forEach((kp: any, i: number) => errs.push(...keyToPath(kp, path(path(fld, 'items'), i))));
      break;
    case 'configMap':
      req('name');
      errs.push(...fileMode(s?.defaultMode, path(fld, 'defaultMode')));
      (Array.isArray(s?.items) ? s.items : []).forEach((kp: any, i: number) => errs.push(...keyToPath(kp, path(path(fld, 'items'), i))));
      break;
    case 'persistentVolumeClaim':
      req('claimName');
      break;
    case 'nfs':
      req('server');
      req('path');
      if (!String(s?.path ?? '').startsWith('/')) errs.push(fieldErr.invalid(path(fld, 'path'), s?.path ?? '', 'must be an absolute path'));
      break;
    case 'downwardAPI':
      errs.push(...fileMode(s?.defaultMode, path(fld, 'defaultMode')));
      for (const file of Array.isArray(s?.items) ? s.items : []) errs.push(...downwardAPIFile(file ?? {}, fld));
      break;
    case 'projected':
      errs.push(...fileMode(s?.defaultMode, path(fld, 'defaultMode')));
      errs.push(...projectionSources(s ?? {}, fld));
      break;
    case 'csi':
      req('driver');
      break;
    case 'gitRepo':
      req('repository');
      errs.push(...localDescendingPath(String(s?.directory ?? ''), path(fld, 'directory')));
      break;
    case 'ephemeral':
      if (!s?.volumeClaimTemplate) errs.push(fieldErr.required(path(fld, 'volumeClaimTemplate')));
      if (podName && volName) {
        const pvcName = `${podName}-${volName}`;
        for (const m of isDNS1123Subdomain(pvcName)) errs.push(fieldErr.invalid(path(volPath, 'name'), volName, `PVC name ${JSON.stringify(pvcName)}: ${m}`));
      }
      break;
    case 'image':
      if (!s?.reference) errs.push(fieldErr.required(path(fld, 'reference')));
      if (s?.pullPolicy && !['Always', 'IfNotPresent', 'Never'].includes(s.pullPolicy)) {
        errs.push(fieldErr.notSupported(path(fld, 'pullPolicy'), s.pullPolicy, ['Always', 'IfNotPresent', 'Never']));
      }
      break;
    default:
      break;
  }
  return errs;
}

export const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

function fileMode(mode: unknown, fld: string): FieldError[] {
  if (typeof mode === 'number' && (mode > 0o777 || mode < 0)) return [fieldErr.invalid(fld, mode, FILE_MODE_MSG)];
  return [];
}

function keyToPath(kp: any, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!kp?.key) errs.push(fieldErr.required(path(fld, 'key')));
  if (!kp?.path) errs.push(fieldErr.required(path(fld, 'path')));
  errs.push(...localNonReservedPath(String(kp?.path ?? ''), path(fld, 'path')));
  errs.push(...fileMode(kp?.mode, path(fld, 'mode')));
  return errs;
}

const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

function downwardAPIFile(file: any, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!file.path) errs.push(fieldErr.required(path(fld, 'path')));
  errs.push(...localNonReservedPath(String(file.path ?? ''), path(fld, 'path')));
  if (file.fieldRef) {
    errs.push(...validateObjectFieldSelector(file.fieldRef, VOLUME_FIELD_PATHS, path(fld, 'fieldRef')));
    if (file.resourceFieldRef) errs.push(fieldErr.invalid(fld, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (file.resourceFieldRef) {
    errs.push(...validateResourceFieldSelector(file.resourceFieldRef, path(fld, 'resourceFieldRef'), true));
  } else {
    errs.push(fieldErr.required(fld, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...fileMode(file.mode, path(fld, 'mode')));
  return errs;
}

function projectionSources(projection: any, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const seenPaths = new Set<string>();
  const notePath = (p: unknown, bad: unknown) => {
    if (typeof p !== 'string' || p.length === 0) return;
    if (seenPaths.has(p)) errs.push(fieldErr.invalid(fld, bad, 'conflicting duplicate paths'));
    seenPaths.add(p);
  };
  (Array.isArray(projection.sources) ? projection.sources : []).forEach((src: any, i: number) => {
    const srcPath = path(path(fld, 'sources'), i);
    let count = 0;
    for (const kind of ['secret', 'configMap'] as const) {
      const s = src?.[kind];
      if (!s) continue;
      count++;
      const p = path(srcPath, kind);
      if (!s.name) errs.push(fieldErr.required(path(p, 'name')));
      (Array.isArray(s.items) ? s.items : []).forEach((kp: any, j: number) => {
        errs.push(...keyToPath(kp, path(path(p, 'items'), j)));
        notePath(kp?.path, s.name ?? '');
      });
    }
    if (src?.downwardAPI) {
      count++;
      for (const file of Array.isArray(src.downwardAPI.items) ? src.downwardAPI.items : []) {
        errs.push(...downwardAPIFile(file ?? {}, path(srcPath, 'downwardAPI')));
        notePath(file?.path, file?.path);
      }
    }
    if (src?.serviceAccountToken) {
      count++;
      const t = src.serviceAccountToken;
      const p = path(srcPath, 'serviceAccountToken');
      const exp = typeof t.expirationSeconds === 'number' ? t.expirationSeconds : 0;
      if (exp < 600) errs.push(fieldErr.invalid(path(p, 'expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
      if (exp > 2 ** 32) errs.push(fieldErr.invalid(path(p, 'expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
      if (!t.path) errs.push(fieldErr.required(path(fld, 'path')));
      else errs.push(...localNonReservedPath(String(t.path), path(fld, 'path')));
    }
    if (src?.clusterTrustBundle) {
      count++;
      const b = src.clusterTrustBundle;
      const p = path(srcPath, 'clusterTrustBundle');
      if (b.name === undefined && b.signerName === undefined) errs.push(fieldErr.required(p, 'either name or signerName must be specified'));
      if (!b.path) errs.push(fieldErr.required(path(p, 'path')));
      errs.push(...localNonReservedPath(String(b.path ?? ''), path(p, 'path')));
      notePath(b.path, b.path);
    }
    if (count > 1) errs.push(fieldErr.forbidden(srcPath, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

export function noBacksteps(target: string, fld: string): FieldError[] {
  return target.split('/').includes('..') ? [fieldErr.invalid(fld, target, "must not contain '..'")] : [];
}

export function localDescendingPath(target: string, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(fieldErr.invalid(fld, target, 'must be a relative path'));
  errs.push(...noBacksteps(target, fld));
  return errs;
}

function localNonReservedPath(target: string, fld: string): FieldError[] {
  const errs = localDescendingPath(target, fld);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(fieldErr.invalid(fld, target, "must not start with '..'"));
  return errs;
}

