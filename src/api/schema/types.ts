// The schema view that patching, strict decoding and OpenAPI publishing share. It is built from the field
// catalog (src/api/schema/catalog.json) and describes one node of an object's type tree.
export interface SchemaNode {
  /** JSON kind of the node. `int-or-string` and `quantity` accept a string or a number; `any` accepts anything. */
  type: 'object' | 'array' | 'map' | 'string' | 'integer' | 'number' | 'boolean' | 'int-or-string' | 'quantity' | 'time' | 'any';
  /** For integer: int32 / int64. */
  format?: string;
  /** Catalog type name for objects, e.g. io.k8s.api.core.v1.Container. */
  typeName?: string;
  /** Object fields (type 'object'). */
  field(name: string): SchemaNode | undefined;
  /** Names of all known fields (type 'object'). */
  fieldNames(): string[];
  /** Element schema (type 'array') or value schema (type 'map'). */
  items(): SchemaNode | undefined;
  /** Strategic-merge metadata of this field, as Go struct tags carry it: 'merge', 'replace', 'retainKeys', 'merge,retainKeys'. */
  patchStrategy?: string;
  patchMergeKey?: string;
  /** Server-side-apply list metadata: 'atomic' | 'set' | 'map'; map keys for 'map'. */
  listType?: string;
  listMapKeys?: string[];
  /** x-kubernetes-map-type: 'atomic' for structs and maps that server-side apply replaces whole. */
  mapType?: string;
  /** Fields an object must carry (type 'object'), as the OpenAPI `required` list has them. */
  required?: readonly string[];
  /** Group/version/kinds served with this type (top-level kinds only). */
  groupVersionKinds?: ReadonlyArray<{ group: string; version: string; kind: string }>;
}
