// Security contexts of containers and the seccomp / AppArmor profiles pods and containers share.
import { fieldErr, path } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { localDescendingPath } from './podspec-volumes.js';

const ID_RANGE_MSG = 'must be between 0 and 4294967295, inclusive';

export function validIdErrors(v: unknown, fld: string): FieldError[] {
  if (typeof v === 'number' && (v < 0 || v > 0xffffffff)) return [fieldErr.invalid(fld, v, ID_RANGE_MSG)];
  return [];
}

export function validateSeccompProfile(sp: any, fld: string): FieldError[] {
  if (!sp || typeof sp !== 'object') return [];
  const errs: FieldError[] = [];
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (!sp.type) errs.push(fieldErr.required(path(fld, 'type'), 'type is required when seccompProfile is set'));
  else if (!types.includes(sp.type)) errs.push(fieldErr.notSupported(path(fld, 'type'), sp.type, types));
  if (sp.type === 'Localhost') {
    if (sp.localhostProfile === undefined || sp.localhostProfile === null) {
      errs.push(fieldErr.required(path(fld, 'localhostProfile'), 'must be set when seccomp type is Localhost'));
    } else errs.push(...localDescendingPath(String(sp.localhostProfile), path(fld, 'localhostProfile')));
  } else if (sp.localhostProfile !== undefined && sp.localhostProfile !== null) {
    errs.push(fieldErr.invalid(path(fld, 'localhostProfile'), sp, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

export function validateAppArmorProfile(ap: any, fld: string): FieldError[] {
  if (!ap || typeof ap !== 'object') return [];
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (ap.type === 'Localhost') {
    const lp = ap.localhostProfile;
    if (typeof lp !== 'string' || lp.trim() === '') {
      if (typeof lp === 'string' && lp !== lp.trim()) return [fieldErr.invalid(path(fld, 'localhostProfile'), lp, 'must not be padded with whitespace')];
      return [fieldErr.required(path(fld, 'localhostProfile'), 'must be set when AppArmor type is Localhost')];
    }
    if (lp !== lp.trim()) return [fieldErr.invalid(path(fld, 'localhostProfile'), lp, 'must not be padded with whitespace')];
    return [];
  }
  if (ap.type === 'RuntimeDefault' || ap.type === 'Unconfined') {
    if (ap.localhostProfile !== undefined && ap.localhostProfile !== null) {
      return [fieldErr.invalid(path(fld, 'localhostProfile'), ap.localhostProfile, 'can only be set when AppArmor type is Localhost')];
    }
    return [];
  }
  if (!ap.type) return [fieldErr.required(path(fld, 'type'), 'type is required when appArmorProfile is set')];
  return [fieldErr.notSupported(path(fld, 'type'), ap.type, types)];
}

export function validateSecurityContext(sc: any, fld: string, hostUsers: boolean): FieldError[] {
  if (!sc || typeof sc !== 'object') return [];
  const errs: FieldError[] = [];
  errs.push(...validIdErrors(sc.runAsUser, path(fld, 'runAsUser')));
  errs.push(...validIdErrors(sc.runAsGroup, path(fld, 'runAsGroup')));
  if (sc.procMount !== undefined && sc.procMount !== null) {
    if (sc.procMount !== 'Default' && sc.procMount !== 'Unmasked') {
      errs.push(fieldErr.notSupported(path(fld, 'procMount'), sc.procMount, ['Default', 'Unmasked']));
    }
    if (hostUsers && sc.procMount === 'Unmasked') {
      errs.push(fieldErr.invalid(path(fld, 'procMount'), sc.procMount, '`hostUsers` must be false to use `Unmasked`'));
    }
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path(fld, 'seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) {
      errs.push(fieldErr.invalid(fld, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    }
    for (const cap of Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : []) {
      if (cap === 'CAP_SYS_ADMIN') {
        errs.push(fieldErr.invalid(fld, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
      }
    }
  }
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, path(fld, 'appArmorProfile')));
  return errs;
}
