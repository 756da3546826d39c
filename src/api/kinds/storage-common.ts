// What claims, volumes and classes share: access modes (rules and the RWO/ROX/RWX/RWOP abbreviations), volume
// modes, the storage class a claim or volume names, and the default-class annotations.
import { fieldErr } from '../fielderrors.js';
import type { FieldError, KubeObject } from '../types.js';
import { arrayOf, isObj, specOf } from './object-helpers.js';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const VOLUME_MODES = ['Block', 'Filesystem'];
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

const ABBREVIATIONS: Array<[string, string]> = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** `RWO,RWX`: each mode once, always in the same order whatever the input order. */
export function accessModesText(modes: unknown): string {
  const set = new Set(arrayOf(modes));
  return ABBREVIATIONS.filter(([m]) => set.has(m)).map(([, a]) => a).join(',');
}

/** The NotSupported and exclusivity rules; whether an empty list is allowed differs per kind. */
export function validateAccessModes(modes: unknown[], fld: string): FieldError[] {
  const errs: FieldError[] = [];
  let rwop = false;
  let other = false;
  for (const m of modes) {
    if (!ACCESS_MODES.includes(m as string)) errs.push(fieldErr.notSupported(fld, m, ACCESS_MODES));
    if (m === 'ReadWriteOncePod') rwop = true;
    else if (ACCESS_MODES.includes(m as string)) other = true;
  }
  if (rwop && other) errs.push(fieldErr.forbidden(fld, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

/** The class of a claim or volume: the beta annotation wins over spec.storageClassName. */
export function storageClassOf(obj: KubeObject): string {
  const ann = obj.metadata.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  if (ann !== undefined) return ann;
  const sc = specOf(obj).storageClassName;
  return typeof sc === 'string' ? sc : '';
}

export function isDefaultClass(sc: KubeObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === 'true' || a[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

export function optionalText(v: unknown): string {
  return typeof v === 'string' ? v : '<unset>';
}

export function resourceMap(v: unknown): Record<string, unknown> {
  return isObj(v) ? v : {};
}
