// The object side of server-side apply: merging an applied configuration into the live object, and
// removing what the applier stopped applying (unless someone else still owns it). Live values may be
// frozen store snapshots; both functions copy what they change and share the rest.
import type { SchemaNode } from '../schema/types.js';
import { type FieldSet, isAtomic, isMember, itemElement, SELF } from './fieldset.js';

type Json = unknown;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function childNode(parent: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (!parent) return undefined;
  if (parent.type === 'object') return parent.field(key);
  if (parent.type === 'map') return parent.items();
  return undefined;
}

/** live merged with config: config's values win, granular maps and keyed/set lists merge element-wise. */
export function mergeValue(live: Json, config: Json, node: SchemaNode | undefined): Json {
  if (config === undefined) return live;
  if (live === undefined || live === null || config === null) return config;
  if (isAtomic(node, config) || isAtomic(node, live)) return config;
  if (Array.isArray(config)) return mergeList(live as Json[], config, node as SchemaNode);
  const out: Record<string, unknown> = { ...(live as Record<string, unknown>) };
  for (const key in config as Record<string, unknown>) {
    const c = (config as Record<string, unknown>)[key];
    if (c === null) {
      // An explicit null takes the field (its owner) and leaves it unset.
      delete out[key];
      continue;
    }
    out[key] = mergeValue(out[key], c, childNode(node, key));
  }
  return out;
}

/** Keyed lists keep both orders: live-only items stay where they were, applied items follow the config's order. */
function mergeList(live: Json[], config: Json[], list: SchemaNode): Json[] {
  const elem = list.items();
  const cfg = config.map((item, i) => ({ el: itemElement(list, item, i), item }));
  const cfgIndex = new Map(cfg.map((c, i) => [c.el, i]));
  const liveByEl = new Map<string, Json>();
  live.forEach((item, i) => liveByEl.set(itemElement(list, item, i), item));
  const out: Json[] = [];
  let next = 0;
  const emitThrough = (idx: number) => {
    for (; next <= idx; next++) {
      const c = cfg[next] as { el: string; item: Json };
      out.push(mergeValue(liveByEl.get(c.el), c.item, elem));
    }
  };
  live.forEach((item, i) => {
    const el = itemElement(list, item, i);
    const idx = cfgIndex.get(el);
    if (idx === undefined) out.push(item);
    else if (idx >= next) emitThrough(idx);
  });
  emitThrough(cfg.length - 1);
  return out;
}

/**
 * Removes from `value` the members of `remove` that nothing in `keep` covers: a member is kept when `keep`
 * holds it or anything below it, and then only its unkept descendants in `remove` go.
 */
export function pruneValue(value: Json, remove: FieldSet, keep: FieldSet | undefined, node: SchemaNode | undefined): Json {
  if (value === null || typeof value !== 'object' || isAtomic(node, value)) return value;
  if (Array.isArray(value)) {
    const list = node as SchemaNode;
    const elem = list.items();
    let changed = false;
    const out: Json[] = [];
    value.forEach((item, i) => {
      const el = itemElement(list, item, i);
      const r = remove[el];
      if (r === undefined) {
        out.push(item);
        return;
      }
      const k = keep?.[el];
      if (k === undefined && isMember(r)) {
        changed = true;
        return;
      }
      const pruned = pruneChildren(item, r, k, elem);
      if (pruned !== item) changed = true;
      out.push(pruned);
    });
    return changed ? out : value;
  }
  let out: Record<string, unknown> | undefined;
  for (const el in remove) {
    if (el === SELF || !el.startsWith('f:')) continue;
    const key = el.slice(2);
    const cur = value as Record<string, unknown>;
    if (!Object.hasOwn(cur, key)) continue;
    const r = remove[el] as FieldSet;
    const k = keep?.[el];
    if (k === undefined && isMember(r)) {
      out ??= { ...cur };
      delete out[key];
      continue;
    }
    const child = childNode(node, key);
    const pruned = pruneChildren(cur[key], r, k, child);
    if (pruned !== cur[key]) {
      out ??= { ...cur };
      // Lists and maps emptied by pruning are left out, as Go's omitempty leaves them out of the object.
      if (omitsEmpty(pruned, child)) delete out[key];
      else out[key] = pruned;
    }
  }
  return out ?? value;
}

function omitsEmpty(v: Json, node: SchemaNode | undefined): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return node?.type === 'map' && isObject(v) && Object.keys(v).length === 0;
}

function pruneChildren(value: Json, remove: FieldSet, keep: FieldSet | undefined, node: SchemaNode | undefined): Json {
  for (const k in remove) if (k !== SELF) return pruneValue(value, remove, keep, node);
  return value;
}

export { isObject };
