// core/v1 LimitRange: per-container, per-pod and per-claim bounds in a namespace, and the container defaults
// the LimitRanger admission step (src/apiserver/admission/limitranger.ts) fills in.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, path } from '../fielderrors.js';
import { nameColumn } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { isQualifiedName } from '../validation/names.js';
import { STANDARD_VERBS } from './descriptor-parts.js';
import { arrayOf, isObj, type Obj, specOf } from './object-helpers.js';
import { normalizeQuantities, quantityOf, validateResourceListValues } from './quantity-helpers.js';

const LISTS = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const;

/** kube's SetDefaults_LimitRangeItem: for containers, default limit ← max, default request ← default limit ← min. */
function defaultItem(item: Obj): void {
  for (const k of LISTS) if (isObj(item[k])) normalizeQuantities(item[k]);
  if (item.type !== 'Container') return;
  const def: Obj = isObj(item.default) ? { ...item.default } : {};
  const defReq: Obj = isObj(item.defaultRequest) ? { ...item.defaultRequest } : {};
  for (const [k, v] of Object.entries(isObj(item.max) ? item.max : {})) if (!(k in def)) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
  for (const [k, v] of Object.entries(isObj(item.min) ? item.min : {})) if (!(k in defReq)) defReq[k] = v;
  if (Object.keys(def).length) item.default = def;
  if (Object.keys(defReq).length) item.defaultRequest = defReq;
}

function defaultLimitRange(lr: KubeObject): void {
  for (const item of arrayOf(specOf(lr).limits)) if (isObj(item)) defaultItem(item);
}

function validateResourceNames(list: unknown, fld: string): FieldError[] {
  if (!isObj(list)) return [];
  const errs: FieldError[] = [];
  for (const k of Object.keys(list).sort()) {
    for (const m of isQualifiedName(k)) errs.push(fieldErr.invalid(`${fld}[${k}]`, k, m));
  }
  return errs;
}

function validateItem(item: Obj, fld: string, seenTypes: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const type = String(item.type ?? '');
  if (seenTypes.has(type)) errs.push(fieldErr.duplicate(path(fld, 'type'), type));
  seenTypes.add(type);
  for (const k of LISTS) {
    errs.push(...validateResourceNames(item[k], path(fld, k)));
    errs.push(...validateResourceListValues(item[k], path(fld, k), '['));
  }
  const get = (k: (typeof LISTS)[number]): Obj => (isObj(item[k]) ? item[k] : {});
  if (type === 'Pod') {
    if (Object.keys(get('default')).length) errs.push(fieldErr.forbidden(path(fld, 'default'), "may not be specified when `type` is 'Pod'"));
    if (Object.keys(get('defaultRequest')).length) errs.push(fieldErr.forbidden(path(fld, 'defaultRequest'), "may not be specified when `type` is 'Pod'"));
  }
  if (type === 'PersistentVolumeClaim') {
    if (!('storage' in get('min')) && !('storage' in get('max'))) {
      errs.push(fieldErr.required(path(fld, 'limits'), 'either minimum or maximum storage value is required, but neither was provided'));
    }
  }
  const keys = new Set<string>();
  for (const k of LISTS) for (const name of Object.keys(get(k))) keys.add(name);
  for (const name of [...keys].sort()) {
    const min = quantityOf(get('min')[name]);
    const max = quantityOf(get('max')[name]);
    const def = quantityOf(get('default')[name]);
    const defReq = quantityOf(get('defaultRequest')[name]);
    const ratio = quantityOf(get('maxLimitRequestRatio')[name]);
    const at = (k: string) => `${path(fld, k)}[${name}]`;
    if (min && max && min.cmp(max) > 0) errs.push(fieldErr.invalid(at('min'), min.toString(), `min value ${min} is greater than max value ${max}`));
    if (defReq) {
      if (min && min.cmp(defReq) > 0) errs.push(fieldErr.invalid(at('defaultRequest'), defReq.toString(), `min value ${min} is greater than default request value ${defReq}`));
      if (max && defReq.cmp(max) > 0) errs.push(fieldErr.invalid(at('defaultRequest'), defReq.toString(), `default request value ${defReq} is greater than max value ${max}`));
      if (def && defReq.cmp(def) > 0) errs.push(fieldErr.invalid(at('defaultRequest'), defReq.toString(), `default request value ${defReq} is greater than default limit value ${def}`));
    }
    if (def) {
      if (min && min.cmp(def) > 0) errs.push(fieldErr.invalid(at('default'), def.toString(), `min value ${min} is greater than default value ${def}`));
      if (max && def.cmp(max) > 0) errs.push(fieldErr.invalid(at('default'), def.toString(), `default value ${def} is greater than max value ${max}`));
    }
    if (ratio) {
      if (ratio.milliValue() < 1000n) errs.push(fieldErr.invalid(at('maxLimitRequestRatio'), ratio.toString(), `ratio ${ratio} is less than 1`));
      if (min && max && !min.isZero()) {
        const maxRatio = Number(max.milliValue()) / Number(min.milliValue());
        if (Number(ratio.milliValue()) / 1000 > maxRatio) {
          errs.push(fieldErr.invalid(at('maxLimitRequestRatio'), ratio.toString(), `ratio ${ratio} is greater than max/min = ${maxRatio.toFixed(6)}`));
        }
      }
    }
  }
  return errs;
}

function validateLimitRange(lr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arrayOf(specOf(lr).limits).forEach((item, i) => {
    if (isObj(item)) errs.push(...validateItem(item, path('spec.limits', i), seen));
  });
  return errs;
}

export const limitRangeDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  listKind: 'LimitRangeList',
  plural: 'limitranges',
  singular: 'limitrange',
  shortNames: ['limits'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [],
  schemaType: 'io.k8s.api.core.v1.LimitRange',
  hasStatus: false,
  defaultPropagation: 'Background',
  defaults: defaultLimitRange,
  validate: validateLimitRange,
  table: {
    columns: [
      nameColumn,
      { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
    ],
    cells: (lr) => [lr.metadata.name, lr.metadata.creationTimestamp ?? ''],
  },
};
