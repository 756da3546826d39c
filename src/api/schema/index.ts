// Schema lookup over the generated field catalog. Nodes are built on first use and shared afterwards, because
// decoding and patching walk them on every write.
//
// Catalog encoding (tools/gen-schema.ts writes it): types are grouped by package; each field holds a token that is
// a primitive (`string`, `byte`, `int32`, `int64`, `double`, `boolean`, `int-or-string`, `quantity`, `time`,
// `microtime`, `any`, `fields-v1`), a type name (short inside its own package, full otherwise), or `[]T` / `{}T`
// for a list or a string-keyed map of T.
import catalogJson from './catalog.json' with { type: 'json' };
import { ATOMIC_STRUCTS, fieldPatchMeta, type FieldPatchMeta } from './patch-metadata.js';
import type { SchemaNode } from './types.js';

export type { SchemaNode } from './types.js';

interface CatalogType {
  f: Record<string, string>;
  r?: string[];
}
interface Catalog {
  kinds: Record<string, Array<[string, string, string]>>;
  packages: Record<string, Record<string, CatalogType>>;
}

const catalog = catalogJson as unknown as Catalog;

export const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const TIME_TYPE = `${META_V1}.Time`;
export const MICRO_TIME_TYPE = `${META_V1}.MicroTime`;
export const FIELDS_V1_TYPE = `${META_V1}.FieldsV1`;
export const QUANTITY_TYPE = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING_TYPE = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const RAW_EXTENSION_TYPE = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

const NO_FIELDS: string[] = [];

class Leaf implements SchemaNode {
  constructor(
    readonly type: SchemaNode['type'],
    readonly format?: string,
    readonly typeName?: string,
  ) {}
  field(): undefined {
    return undefined;
  }
  fieldNames(): string[] {
    return NO_FIELDS;
  }
  items(): undefined {
    return undefined;
  }
}

const PRIMITIVES: Record<string, () => SchemaNode> = {
  string: () => new Leaf('string'),
  byte: () => new Leaf('string', 'byte'),
  int32: () => new Leaf('integer', 'int32'),
  int64: () => new Leaf('integer', 'int64'),
  double: () => new Leaf('number', 'double'),
  boolean: () => new Leaf('boolean'),
  'int-or-string': () => new Leaf('int-or-string', 'int-or-string', INT_OR_STRING_TYPE),
  quantity: () => new Leaf('quantity', undefined, QUANTITY_TYPE),
  time: () => new Leaf('time', 'date-time', TIME_TYPE),
  microtime: () => new Leaf('time', 'date-time', MICRO_TIME_TYPE),
  any: () => new Leaf('any', undefined, RAW_EXTENSION_TYPE),
  'fields-v1': () => new Leaf('any', undefined, FIELDS_V1_TYPE),
};
const sharedPrimitives = new Map<string, SchemaNode>();

/** A list or map; one instance per field because the field's patch metadata rides on it. */
class Container implements SchemaNode {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: string;
  listMapKeys?: string[];
  mapType?: string;
  constructor(
    readonly type: 'array' | 'map',
    private readonly element: SchemaNode,
  ) {}
  field(): undefined {
    return undefined;
  }
  fieldNames(): string[] {
    return NO_FIELDS;
  }
  items(): SchemaNode {
    return this.element;
  }
}

class ObjectType implements SchemaNode {
  readonly type = 'object';
  readonly required?: readonly string[];
  readonly groupVersionKinds?: ReadonlyArray<{ group: string; version: string; kind: string }>;
  readonly mapType?: string;
  private readonly fields = new Map<string, SchemaNode>();
  private readonly names: string[];

  constructor(
    readonly typeName: string,
    private readonly spec: CatalogType,
  ) {
    this.names = Object.keys(spec.f);
    if (spec.r) this.required = spec.r;
    const kinds = catalog.kinds[typeName];
    if (kinds) this.groupVersionKinds = kinds.map(([group, version, kind]) => ({ group, version, kind }));
    if (ATOMIC_STRUCTS.has(typeName)) this.mapType = 'atomic';
  }

  field(name: string): SchemaNode | undefined {
    let node = this.fields.get(name);
    if (node === undefined) {
      // Own-property check: field names such as "constructor" must not resolve through the prototype.
      if (!Object.prototype.hasOwnProperty.call(this.spec.f, name)) return undefined;
      node = buildField(this.typeName, name, this.spec.f[name]!);
      this.fields.set(name, node);
    }
    return node;
  }

  fieldNames(): string[] {
    return this.names;
  }

  items(): undefined {
    return undefined;
  }
}

/** An object-typed field that carries its own patch metadata (e.g. DeploymentSpec.strategy: retainKeys). */
class ObjectField implements SchemaNode {
  readonly type = 'object';
  patchStrategy?: string;
  patchMergeKey?: string;
  mapType?: string;
  constructor(private readonly target: ObjectType) {}
  get typeName(): string {
    return this.target.typeName;
  }
  get required(): readonly string[] | undefined {
    return this.target.required;
  }
  field(name: string): SchemaNode | undefined {
    return this.target.field(name);
  }
  fieldNames(): string[] {
    return this.target.fieldNames();
  }
  items(): undefined {
    return undefined;
  }
}

const objectTypes = new Map<string, ObjectType>();
let typeIndex: Map<string, CatalogType> | undefined;

function types(): Map<string, CatalogType> {
  if (!typeIndex) {
    typeIndex = new Map();
    for (const [pkg, byName] of Object.entries(catalog.packages)) {
      for (const [short, spec] of Object.entries(byName)) typeIndex.set(`${pkg}.${short}`, spec);
    }
  }
  return typeIndex;
}

function catalogType(typeName: string): CatalogType | undefined {
  return types().get(typeName);
}

function objectType(typeName: string): ObjectType | undefined {
  let node = objectTypes.get(typeName);
  if (!node) {
    const spec = catalogType(typeName);
    if (!spec) return undefined;
    node = new ObjectType(typeName, spec);
    objectTypes.set(typeName, node);
  }
  return node;
}

function packageOf(typeName: string): string {
  return typeName.slice(0, typeName.lastIndexOf('.'));
}

/** Resolves a catalog token written inside `pkg` to a node; shared for primitives and object types. */
function resolveToken(token: string, pkg: string): SchemaNode {
  if (token.startsWith('[]')) return new Container('array', resolveToken(token.slice(2), pkg));
  if (token.startsWith('{}')) return new Container('map', resolveToken(token.slice(2), pkg));
  const primitive = PRIMITIVES[token];
  if (primitive) {
    let node = sharedPrimitives.get(token);
    if (!node) {
      node = primitive();
      sharedPrimitives.set(token, node);
    }
    return node;
  }
  const full = token.includes('.') ? token : `${pkg}.${token}`;
  const node = objectType(full);
  if (!node) throw new Error(`schema catalog refers to unknown type ${full}`);
  return node;
}

function buildField(typeName: string, field: string, token: string): SchemaNode {
  const node = resolveToken(token, packageOf(typeName));
  const meta = fieldPatchMeta(typeName, field);
  if (!meta) return node;
  if (node instanceof Container) {
    applyMeta(node, meta);
    return node;
  }
  if (node instanceof ObjectType) {
    const wrapped = new ObjectField(node);
    if (meta.patchStrategy) wrapped.patchStrategy = meta.patchStrategy;
    if (meta.patchMergeKey) wrapped.patchMergeKey = meta.patchMergeKey;
    wrapped.mapType = meta.mapType ?? node.mapType;
    return wrapped;
  }
  return node;
}

function applyMeta(node: Container, meta: FieldPatchMeta): void {
  if (meta.patchStrategy) node.patchStrategy = meta.patchStrategy;
  if (meta.patchMergeKey) node.patchMergeKey = meta.patchMergeKey;
  if (meta.listType) node.listType = meta.listType;
  if (meta.listMapKeys) node.listMapKeys = meta.listMapKeys;
  if (meta.mapType) node.mapType = meta.mapType;
}

/** Schemas of types served at run time (custom resources, from their CRDs), by type name. */
const runtimeTypes = new Map<string, SchemaNode>();

/** Makes a run-time type known to schemaOf/hasSchema (undefined forgets it). */
export function registerRuntimeSchema(typeName: string, node: SchemaNode | undefined): void {
  if (node) runtimeTypes.set(typeName, node);
  else runtimeTypes.delete(typeName);
}

/** The schema of a catalog type, e.g. `io.k8s.api.apps.v1.Deployment`. Throws for names the catalog lacks. */
export function schemaOf(typeName: string): SchemaNode {
  const node = runtimeTypes.get(typeName) ?? objectType(typeName);
  if (!node) throw new Error(`no schema for type ${typeName}`);
  return node;
}

export function hasSchema(typeName: string): boolean {
  return runtimeTypes.has(typeName) || catalogType(typeName) !== undefined;
}

/** Every type name in the catalog, sorted. */
export function catalogTypeNames(): string[] {
  return [...types().keys()].sort();
}

/** Catalog types that are served as kinds, with their group/version/kinds. */
export function catalogKinds(): ReadonlyArray<[typeName: string, gvks: Array<{ group: string; version: string; kind: string }>]> {
  return Object.entries(catalog.kinds).map(([name, list]) => [name, list.map(([group, version, kind]) => ({ group, version, kind }))]);
}

/** The catalog type that serves group/version/kind, if any. */
export function typeNameForKind(group: string, version: string, kind: string): string | undefined {
  for (const [name, list] of Object.entries(catalog.kinds)) {
    if (list.some(([g, v, k]) => g === group && v === version && k === kind)) return name;
  }
  return undefined;
}

/** The raw catalog token of a field (for generators such as the OpenAPI builder). */
export function fieldToken(typeName: string, field: string): string | undefined {
  const spec = catalogType(typeName);
  if (!spec || !Object.prototype.hasOwnProperty.call(spec.f, field)) return undefined;
  const token = spec.f[field]!;
  // Make same-package references absolute so callers need not know the package.
  return token.replace(/^((?:\[\]|\{\})*)([A-Z]\w*)$/, (_all, prefix: string, short: string) => `${prefix}${packageOf(typeName)}.${short}`);
}

/**
 * Follows a field path from a type (`['spec', 'template', 'spec', 'containers']`); a numeric segment or a map
 * key steps into the element of a list or map. Returns undefined where the schema does not know the path.
 */
export function schemaAt(root: SchemaNode, path: ReadonlyArray<string | number>): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const segment of path) {
    if (!node) return undefined;
    if (node.type === 'array' || node.type === 'map') node = node.items();
    else if (node.type === 'object') node = node.field(String(segment));
    else return undefined;
  }
  return node;
}
