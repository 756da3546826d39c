// A custom resource's structural schema seen through the SchemaNode interface that patching and server-side
// apply walk (src/api/schema/types.ts): objects with properties, maps (additionalProperties), lists with their
// x-kubernetes-list-type, and x-kubernetes-preserve-unknown-fields subtrees as "deduced" (maps of maps,
// scalars and lists atomic), the way structured-merge-diff treats them.
import { schemaOf } from '../schema/index.js';
import type { SchemaNode } from '../schema/types.js';
import type { JsonSchema } from './schema.js';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const NO_FIELDS: string[] = [];

class Leaf implements SchemaNode {
  constructor(readonly type: SchemaNode['type']) {}
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

/** Unknown fields kept by x-kubernetes-preserve-unknown-fields: a map whose values are deduced too. */
class Deduced implements SchemaNode {
  readonly type = 'map' as const;
  field(): undefined {
    return undefined;
  }
  fieldNames(): string[] {
    return NO_FIELDS;
  }
  items(): SchemaNode {
    return DEDUCED;
  }
}
const DEDUCED = new Deduced();
const STRING = new Leaf('string');

const cache = new WeakMap<JsonSchema, SchemaNode>();

/** The node for a (sub)schema. */
export function nodeFor(s: JsonSchema | undefined): SchemaNode {
  if (!s) return DEDUCED;
  let node = cache.get(s);
  if (!node) {
    node = build(s);
    cache.set(s, node);
  }
  return node;
}

function build(s: JsonSchema): SchemaNode {
  if (s['x-kubernetes-int-or-string']) return new Leaf('int-or-string');
  if (s['x-kubernetes-embedded-resource']) return new ObjectNode(s, true);
  switch (s.type) {
    case 'object':
      if (s.properties) return new ObjectNode(s, false);
      if (s.additionalProperties && typeof s.additionalProperties === 'object') return new MapNode(s, nodeFor(s.additionalProperties));
      return s['x-kubernetes-preserve-unknown-fields'] ? DEDUCED : new ObjectNode(s, false);
    case 'array':
      return new ListNode(s);
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return new Leaf(s.type);
    default:
      return s['x-kubernetes-preserve-unknown-fields'] ? DEDUCED : new Leaf('any');
  }
}

class ObjectNode implements SchemaNode {
  readonly type = 'object' as const;
  readonly required?: readonly string[];
  readonly mapType?: string;
  private readonly names: string[];
  constructor(
    private readonly s: JsonSchema,
    private readonly typeMeta: boolean,
  ) {
    this.names = Object.keys(s.properties ?? {});
    if (typeMeta) for (const k of ['apiVersion', 'kind', 'metadata']) if (!this.names.includes(k)) this.names.push(k);
    if (s.required) this.required = s.required;
    if (s['x-kubernetes-map-type']) this.mapType = s['x-kubernetes-map-type'];
  }
  field(name: string): SchemaNode | undefined {
    if (this.typeMeta) {
      if (name === 'apiVersion' || name === 'kind') return STRING;
      if (name === 'metadata') return schemaOf(OBJECT_META);
    }
    const p = this.s.properties?.[name];
    if (p) return nodeFor(p);
    return this.s['x-kubernetes-preserve-unknown-fields'] ? DEDUCED : undefined;
  }
  fieldNames(): string[] {
    return this.names;
  }
  items(): undefined {
    return undefined;
  }
}

class MapNode implements SchemaNode {
  readonly type = 'map' as const;
  readonly mapType?: string;
  constructor(
    s: JsonSchema,
    private readonly value: SchemaNode,
  ) {
    if (s['x-kubernetes-map-type']) this.mapType = s['x-kubernetes-map-type'];
  }
  field(): undefined {
    return undefined;
  }
  fieldNames(): string[] {
    return NO_FIELDS;
  }
  items(): SchemaNode {
    return this.value;
  }
}

class ListNode implements SchemaNode {
  readonly type = 'array' as const;
  readonly listType: string;
  readonly listMapKeys?: string[];
  constructor(private readonly s: JsonSchema) {
    this.listType = s['x-kubernetes-list-type'] ?? 'atomic';
    if (s['x-kubernetes-list-map-keys']) this.listMapKeys = s['x-kubernetes-list-map-keys'];
  }
  field(): undefined {
    return undefined;
  }
  fieldNames(): string[] {
    return NO_FIELDS;
  }
  items(): SchemaNode {
    return nodeFor(this.s.items);
  }
}

/** The root node of a custom object: apiVersion, kind and metadata (ObjectMeta) plus the CRD's schema. */
export function customResourceSchemaNode(root: JsonSchema | undefined): SchemaNode {
  return new ObjectNode(root ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, true);
}
