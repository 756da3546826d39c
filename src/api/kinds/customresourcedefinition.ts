// apiextensions.k8s.io/v1 CustomResourceDefinition (cluster-scoped): defaulting and validation as the
// apiextensions-apiserver does them (names, versions, one storage version, structural schemas, printer columns,
// subresources), storedVersions upkeep, and `kubectl get crd` (NAME, CREATED AT). Serving the resources a CRD
// defines is the API server's part (src/apiserver/crd).
import { parseJsonPath } from '../crd/jsonpath.js';
import { structuralErrors } from '../crd/schema.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, path } from '../fielderrors.js';
import { col, nameColumn } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { isDNS1123Subdomain } from '../validation/names.js';
import { isDNS1035Label } from './dns1035.js';
import { STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { arrayOf, isObj, type Obj } from './object-helpers.js';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const SCOPES = ['Cluster', 'Namespaced'];
const COLUMN_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];
const COLUMN_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password'];

function specOf(obj: KubeObject): Obj {
  return isObj(obj.spec) ? (obj.spec as Obj) : {};
}

function storageVersionOf(obj: KubeObject): string | undefined {
  const v = arrayOf(specOf(obj).versions).find((x) => isObj(x) && x.storage === true) as Obj | undefined;
  return typeof v?.name === 'string' ? v.name : undefined;
}

function defaultCrd(obj: KubeObject): void {
  const spec = specOf(obj);
  if (!isObj(obj.spec)) return;
  const names = isObj(spec.names) ? spec.names : undefined;
  if (names && typeof names.kind === 'string' && names.kind) {
    if (!names.singular) names.singular = names.kind.toLowerCase();
    if (!names.listKind) names.listKind = `${names.kind}List`;
  }
  if (!isObj(spec.conversion)) spec.conversion = { strategy: 'None' };
  else if (!spec.conversion.strategy) spec.conversion.strategy = 'None';
}

function validateNames(names: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const n = isObj(names) ? names : {};
  const label = (v: unknown, p: string, required: boolean): void => {
    if (typeof v !== 'string' || v === '') {
      if (required) errs.push(fieldErr.required(p));
      return;
    }
    for (const m of isDNS1035Label(v)) errs.push(fieldErr.invalid(p, v, m));
  };
  label(n.plural, path(fld, 'plural'), true);
  label(n.singular, path(fld, 'singular'), false);
  if (typeof n.kind !== 'string' || n.kind === '') errs.push(fieldErr.required(path(fld, 'kind')));
  else for (const m of isDNS1035Label(n.kind.toLowerCase())) errs.push(fieldErr.invalid(path(fld, 'kind'), n.kind, m));
  if (typeof n.listKind === 'string' && n.listKind) {
    for (const m of isDNS1035Label(n.listKind.toLowerCase())) errs.push(fieldErr.invalid(path(fld, 'listKind'), n.listKind, m));
    if (n.listKind === n.kind) errs.push(fieldErr.invalid(path(fld, 'listKind'), n.listKind, 'kind and listKind may not be the same'));
  }
  arrayOf(n.shortNames).forEach((s, i) => label(s, `${path(fld, 'shortNames')}[${i}]`, true));
  arrayOf(n.categories).forEach((s, i) => label(s, `${path(fld, 'categories')}[${i}]`, true));
  return errs;
}

function validateVersion(v: Obj, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof v.name !== 'string' || v.name === '') errs.push(fieldErr.required(path(fld, 'name')));
  else for (const m of isDNS1035Label(v.name)) errs.push(fieldErr.invalid(path(fld, 'name'), v.name, m));
  const schema = isObj(v.schema) ? v.schema.openAPIV3Schema : undefined;
  errs.push(...structuralErrors(schema, path(path(fld, 'schema'), 'openAPIV3Schema')));
  arrayOf(v.additionalPrinterColumns).forEach((raw, i) => {
    const c = isObj(raw) ? raw : {};
    const cf = `${path(fld, 'additionalPrinterColumns')}[${i}]`;
    if (!c.name) errs.push(fieldErr.required(path(cf, 'name')));
    if (!c.type) errs.push(fieldErr.required(path(cf, 'type')));
    else if (!COLUMN_TYPES.includes(c.type)) errs.push(fieldErr.notSupported(path(cf, 'type'), c.type, COLUMN_TYPES));
    if (c.format && !COLUMN_FORMATS.includes(c.format)) errs.push(fieldErr.notSupported(path(cf, 'format'), c.format, COLUMN_FORMATS));
    if (c.priority !== undefined && (typeof c.priority !== 'number' || c.priority < 0)) errs.push(fieldErr.invalid(path(cf, 'priority'), c.priority, 'must be greater than or equal to 0'));
    if (!c.jsonPath) errs.push(fieldErr.required(path(cf, 'jsonPath')));
    else {
      let ok = typeof c.jsonPath === 'string' && c.jsonPath.startsWith('.');
      if (ok) {
        try {
          parseJsonPath(c.jsonPath);
        } catch {
          ok = false;
        }
      }
      if (!ok) errs.push(fieldErr.invalid(path(cf, 'jsonPath'), c.jsonPath, 'must be a simple json path starting with .'));
    }
  });
  const subs = isObj(v.subresources) ? v.subresources : {};
  if (subs.scale !== undefined) {
    const sc = isObj(subs.scale) ? subs.scale : {};
    const sf = path(path(fld, 'subresources'), 'scale');
    if (!sc.specReplicasPath) errs.push(fieldErr.required(path(sf, 'specReplicasPath')));
    else if (typeof sc.specReplicasPath !== 'string' || !sc.specReplicasPath.startsWith('.spec.')) {
      errs.push(fieldErr.invalid(path(sf, 'specReplicasPath'), sc.specReplicasPath, 'should be a json path under .spec'));
    }
    if (!sc.statusReplicasPath) errs.push(fieldErr.required(path(sf, 'statusReplicasPath')));
    else if (typeof sc.statusReplicasPath !== 'string' || !sc.statusReplicasPath.startsWith('.status.')) {
      errs.push(fieldErr.invalid(path(sf, 'statusReplicasPath'), sc.statusReplicasPath, 'should be a json path under .status'));
    }
    if (sc.labelSelectorPath !== undefined && (typeof sc.labelSelectorPath !== 'string' || !/^\.(spec|status)\./.test(sc.labelSelectorPath))) {
      errs.push(fieldErr.invalid(path(sf, 'labelSelectorPath'), sc.labelSelectorPath, 'should be a json path under either .spec or .status'));
    }
  }
  return errs;
}

/** A short Go-like rendering of the versions list for "Invalid value" messages. */
function versionsValue(versions: unknown[]): string {
  const items = versions.map((v) => {
    const o = isObj(v) ? v : {};
    return `apiextensions.CustomResourceDefinitionVersion{Name:${JSON.stringify(o.name ?? '')}, Served:${o.served === true}, Storage:${o.storage === true}}`;
  });
  return `[]apiextensions.CustomResourceDefinitionVersion{${items.join(', ')}}`;
}

export function validateCrd(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(obj);
  const names = isObj(spec.names) ? spec.names : {};
  const group = typeof spec.group === 'string' ? spec.group : '';
  const expectedName = `${names.plural ?? ''}.${group}`;
  if (obj.metadata.name !== expectedName) errs.push(fieldErr.invalid('metadata.name', obj.metadata.name ?? '', 'must be spec.names.plural+"."+spec.group'));
  if (!group) errs.push(fieldErr.required('spec.group'));
  else {
    for (const m of isDNS1123Subdomain(group)) errs.push(fieldErr.invalid('spec.group', group, m));
    if (group.split('.').length < 2) errs.push(fieldErr.invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  if (!spec.scope) errs.push(fieldErr.required('spec.scope'));
  else if (!SCOPES.includes(spec.scope)) errs.push(fieldErr.notSupported('spec.scope', spec.scope, SCOPES));
  errs.push(...validateNames(spec.names, 'spec.names'));
  const versions = arrayOf(spec.versions);
  const storage = versions.filter((v) => isObj(v) && v.storage === true).length;
  const rendered = (): string => versionsValue(versions);
  if (storage !== 1) errs.push({ reason: 'FieldValueInvalid', field: 'spec.versions', message: `Invalid value: ${rendered()}: must have exactly one version marked as storage version` });
  if (versions.length && !versions.some((v) => isObj(v) && v.served === true)) {
    errs.push({ reason: 'FieldValueInvalid', field: 'spec.versions', message: `Invalid value: ${rendered()}: must serve at least one version` });
  }
  const seen = new Set<string>();
  versions.forEach((raw, i) => {
    const v = isObj(raw) ? raw : {};
    if (typeof v.name === 'string' && seen.has(v.name)) errs.push(fieldErr.duplicate(`spec.versions[${i}].name`, v.name));
    if (typeof v.name === 'string') seen.add(v.name);
    errs.push(...validateVersion(v, `spec.versions[${i}]`));
  });
  const conversion = isObj(spec.conversion) ? spec.conversion : {};
  if (conversion.strategy !== undefined && !['None', 'Webhook'].includes(conversion.strategy)) {
    errs.push(fieldErr.notSupported('spec.conversion.strategy', conversion.strategy, ['None', 'Webhook']));
  }
  if (conversion.strategy === 'Webhook') errs.push(fieldErr.forbidden('spec.conversion.strategy', 'Webhook conversion is not supported by kubeloop'));
  if (spec.preserveUnknownFields === true) {
    errs.push(fieldErr.invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  return errs;
}

export function validateCrdUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(obj);
  const o = specOf(old);
  if (o.group !== spec.group) errs.push(fieldErr.invalid('spec.group', spec.group ?? '', 'field is immutable'));
  if (o.scope !== spec.scope) errs.push(fieldErr.invalid('spec.scope', spec.scope ?? '', 'field is immutable'));
  return errs;
}

function withStoredVersion(obj: KubeObject): void {
  const sv = storageVersionOf(obj);
  if (!sv) return;
  const status = isObj(obj.status) ? { ...(obj.status as Obj) } : {};
  const stored = arrayOf(status.storedVersions) as string[];
  if (!stored.includes(sv)) status.storedVersions = [...stored, sv];
  obj.status = status;
}

export const customResourceDefinitionDescriptor: ResourceDescriptor = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  listKind: 'CustomResourceDefinitionList',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  namespaced: false,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE],
  schemaType: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  hasStatus: true,
  generation: 'spec',
  defaultPropagation: 'Background',
  finalizersOnDelete: [CRD_CLEANUP_FINALIZER],
  defaults: defaultCrd,
  validate: validateCrd,
  validateUpdate: validateCrdUpdate,
  prepareForCreate(obj) {
    obj.status = {};
    withStoredVersion(obj);
    const status = obj.status as Obj;
    status.conditions = [];
    status.acceptedNames = { plural: '', kind: '' };
  },
  prepareForUpdate(obj, old) {
    obj.status = old.status;
    withStoredVersion(obj);
  },
  table: {
    columns: [nameColumn, { ...col('Created At', 'date'), description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }],
    cells: (obj) => [obj.metadata.name, obj.metadata.creationTimestamp ?? null],
  },
};
