// core/v1 Secret: type default, stringData folded into data, per-type required keys, and TYPE/DATA columns.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, key } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { dataKeyErrors, decodedLength, immutableDataErrors, MAX_DATA_BYTES } from './data-keys.js';
import { STANDARD_VERBS } from './descriptor-parts.js';
import { isObj, type Obj } from './object-helpers.js';

const REDACTED = '<secret contents redacted>';

function dataOf(s: KubeObject): Obj {
  return isObj(s.data) ? s.data : {};
}

// stringData is write-only: the API server merges it into data (base64) and never stores it.
function defaultSecret(s: KubeObject): void {
  const o = s as Obj;
  if (isObj(o.stringData)) {
    const data = isObj(o.data) ? o.data : (o.data = {});
    for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v ?? '')).toString('base64');
  }
  delete o.stringData;
  o.type ||= 'Opaque';
}

function jsonProblem(b64: unknown): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(String(b64 ?? ''), 'base64').toString());
    return isObj(v) ? undefined : `json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type map[string]interface {}`;
  } catch (e) {
    return (e as Error).message;
  }
}

function validateTypeKeys(s: KubeObject, data: Obj): FieldError[] {
  const need = (k: string) => (k in data ? [] : [fieldErr.required(key('data', k))]);
  switch ((s as Obj).type) {
    case 'kubernetes.io/service-account-token':
      return s.metadata.annotations?.['kubernetes.io/service-account.name'] ? [] : [fieldErr.required(key('metadata.annotations', 'kubernetes.io/service-account.name'))];
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const k = (s as Obj).type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!(k in data)) return need(k);
      const why = jsonProblem(data[k]);
      return why ? [fieldErr.invalid(key('data', k), REDACTED, why)] : [];
    }
    case 'kubernetes.io/basic-auth':
      return 'username' in data || 'password' in data ? [] : [...need('username'), ...need('password')];
    case 'kubernetes.io/ssh-auth':
      return decodedLength(data['ssh-privatekey']) > 0 ? [] : [fieldErr.required(key('data', 'ssh-privatekey'))];
    case 'kubernetes.io/tls':
      return [...need('tls.crt'), ...need('tls.key')];
    default:
      return [];
  }
}

function validateSecret(s: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = dataOf(s);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...dataKeyErrors('data', k));
    total += decodedLength(v);
  }
  if (total > MAX_DATA_BYTES) errs.push(fieldErr.tooLong('data', '', MAX_DATA_BYTES));
  errs.push(...validateTypeKeys(s, data));
  return errs;
}

function validateSecretUpdate(s: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const type = (s as Obj).type ?? '';
  const oldType = (old as Obj).type ?? '';
  if (type !== oldType) errs.push(fieldErr.invalid('type', type, 'field is immutable'));
  errs.push(...immutableDataErrors(s, old, ['data']));
  return errs;
}

export const secretDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  listKind: 'SecretList',
  plural: 'secrets',
  singular: 'secret',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [],
  schemaType: 'io.k8s.api.core.v1.Secret',
  hasStatus: false,
  defaultPropagation: 'Background',
  defaults: defaultSecret,
  validate: validateSecret,
  validateUpdate: validateSecretUpdate,
  fieldLabels: {
    type: (s) => String((s as Obj).type ?? ''),
  },
  table: {
    columns: [nameColumn, col('Type'), col('Data'), ageColumn],
    cells: (s, now) => [s.metadata.name, String((s as Obj).type ?? ''), Object.keys(dataOf(s)).length, objectAge(s, now)],
  },
};
