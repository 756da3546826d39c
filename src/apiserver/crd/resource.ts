// Turns a CustomResourceDefinition into the descriptors of the resources it serves, one per served version:
// decoding with pruning and defaulting from the version's schema, structural-schema validation, the status and
// scale subresources, and the table of additionalPrinterColumns.
import type { ColumnDefinition, ResourceDescriptor, SubresourceDescriptor } from '../../api/descriptor.js';
import { errors } from '../../api/errors.js';
import { clone } from '../../api/meta.js';
import { age, nameColumn } from '../../api/printing.js';
import type { FieldError, KubeObject } from '../../api/types.js';
import { SCALE_SUBRESOURCE, STANDARD_VERBS, STATUS_SUBRESOURCE } from '../../api/kinds/descriptor-parts.js';
import { evaluateJsonPath, parseJsonPath } from '../../api/crd/jsonpath.js';
import { customResourceSchemaNode } from '../../api/crd/schema-node.js';
import { applyDefaults, type JsonSchema, prune, validateValue } from '../../api/crd/schema.js';
import { registerRuntimeSchema } from '../../api/schema/index.js';

export interface CrdNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  schema?: { openAPIV3Schema?: JsonSchema };
  subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: PrinterColumn[];
}

export interface CrdSpec {
  group: string;
  names: CrdNames;
  scope: string;
  versions: CrdVersion[];
  preserveUnknownFields?: boolean;
}

/** Marks descriptors built from CRDs, with what the server needs to know about their definition. */
export interface CustomResourceInfo {
  crdName: string;
  crdUid: string;
  /** The CRD's schema of this version, for OpenAPI. */
  schema: JsonSchema | undefined;
  storage: boolean;
}

const info = new WeakMap<ResourceDescriptor, CustomResourceInfo>();

export function customResourceInfo(d: ResourceDescriptor): CustomResourceInfo | undefined {
  return info.get(d);
}

/** Kubernetes version priority: GA before beta before alpha, higher numbers first, then other names alphabetically. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0, v];
    const level = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [level, -Number(m[1]), -Number(m[3] ?? 0), v];
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] as number) - (pb[i] as number);
  return pa[3] < pb[3] ? -1 : pa[3] > pb[3] ? 1 : 0;
}

function fieldPath(jsonPath: string): string[] {
  return jsonPath.replace(/^\./, '').split('.').filter(Boolean);
}

function dig(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

function cell(type: string, values: unknown[], now: number): unknown {
  if (values.length === 0) return null;
  const v = values[0];
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? v : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'date':
      return typeof v === 'string' ? age(v, now) : null;
    default:
      return typeof v === 'string' ? v : JSON.stringify(v);
  }
}

function table(columns: PrinterColumn[] | undefined): ResourceDescriptor['table'] {
  const cols = columns && columns.length ? columns : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  const paths = cols.map((c) => {
    try {
      return parseJsonPath(c.jsonPath);
    } catch {
      return undefined;
    }
  });
  const defs: ColumnDefinition[] = [
    nameColumn,
    ...cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
  ];
  return {
    columns: defs,
    cells: (obj, now) => [obj.metadata.name, ...cols.map((c, i) => (paths[i] ? cell(c.type, evaluateJsonPath(paths[i], obj), now) : null))],
  };
}

/** The descriptors of a CRD's served versions, preferred version first. */
export function customResourceDescriptors(crd: KubeObject): ResourceDescriptor[] {
  const spec = crd.spec as CrdSpec;
  const names = spec.names;
  const versions = [...(spec.versions ?? [])].filter((v) => v.served).sort((a, b) => compareVersions(a.name, b.name));
  const served = new Set(versions.map((v) => `${spec.group}/${v.name}`));
  return versions.map((v) => versionDescriptor(crd, spec, names, v, served));
}

function versionDescriptor(crd: KubeObject, spec: CrdSpec, names: CrdNames, v: CrdVersion, served: ReadonlySet<string>): ResourceDescriptor {
  const gv = `${spec.group}/${v.name}`;
  const schema = v.schema?.openAPIV3Schema;
  const pruneSchema: JsonSchema | undefined = spec.preserveUnknownFields ? { ...(schema ?? {}), 'x-kubernetes-preserve-unknown-fields': true } : schema;
  const hasStatusSub = !!v.subresources?.status;
  const scaleSub = v.subresources?.scale;
  const subresources: SubresourceDescriptor[] = [];
  if (hasStatusSub) subresources.push(STATUS_SUBRESOURCE);
  if (scaleSub) subresources.push(SCALE_SUBRESOURCE);
  const kind = names.kind;
  const d: ResourceDescriptor = {
    group: spec.group,
    version: v.name,
    kind,
    listKind: names.listKind ?? `${kind}List`,
    plural: names.plural,
    singular: names.singular ?? kind.toLowerCase(),
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    namespaced: spec.scope === 'Namespaced',
    verbs: STANDARD_VERBS,
    subresources,
    schemaType: `customresource:${spec.group}/${v.name}/${kind}`,
    hasStatus: false,
    strategicMergePatch: false,
    generation: 'spec',
    defaultPropagation: 'Background',
    table: table(v.additionalPrinterColumns),
    decodeBody(body, mode, warnings) {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
      const obj = clone(body) as KubeObject;
      if (obj.metadata !== undefined && (obj.metadata === null || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata))) {
        throw errors.badRequest(`${kind} in version "${v.name}" cannot be handled as a ${kind}: unable to decode metadata: expected an object`);
      }
      // None conversion: a body of another served version is this version with another apiVersion.
      if (typeof obj.apiVersion === 'string' && obj.apiVersion !== gv && served.has(obj.apiVersion) && obj.kind === kind) obj.apiVersion = gv;
      const unknown = prune(obj, pruneSchema);
      if (mode !== 'Ignore' && unknown.length) {
        const texts = unknown.map((p) => `unknown field ${JSON.stringify(p)}`);
        if (mode === 'Strict') throw errors.badRequest(`${kind} in version "${v.name}" cannot be handled as a ${kind}: strict decoding error: ${texts.join(', ')}`);
        warnings.push(...texts);
      }
      applyDefaults(obj, schema);
      return obj;
    },
    validate(obj): FieldError[] {
      return validateValue(obj, schema);
    },
  };
  if (hasStatusSub) {
    d.prepareForCreate = (obj) => {
      delete obj.status;
    };
    d.prepareForUpdate = (obj, old) => {
      if (old.status === undefined) delete obj.status;
      else obj.status = old.status;
    };
    // The server skips a kind's validation on status writes; a custom object's status must still fit its schema.
    d.prepareForStatusUpdate = (obj) => {
      const causes = schema?.properties?.status && obj.status !== undefined ? validateValue(obj.status, schema.properties.status, 'status', false) : [];
      if (causes.length) throw errors.invalid(d, obj.metadata.name ?? '', causes);
    };
  }
  if (scaleSub) {
    const specPath = fieldPath(scaleSub.specReplicasPath);
    const statusPath = fieldPath(scaleSub.statusReplicasPath);
    const selectorPath = scaleSub.labelSelectorPath ? fieldPath(scaleSub.labelSelectorPath) : undefined;
    d.scale = {
      specReplicasPath: specPath,
      statusReplicasPath: statusPath,
      selector: (obj) => {
        const s = selectorPath ? dig(obj, selectorPath) : undefined;
        return typeof s === 'string' ? s : '';
      },
    };
  }
  // Patching and server-side apply walk custom objects with the CRD's schema.
  registerRuntimeSchema(d.schemaType, customResourceSchemaNode(schema));
  info.set(d, { crdName: crd.metadata.name ?? '', crdUid: crd.metadata.uid ?? '', schema, storage: v.storage });
  return d;
}
