// metadata.managedFields maintenance: which manager owns which fields, updated on every write (operation
// Update: the writer takes the fields it changed) and on server-side apply (operation Apply: the applier's
// set is what it applied; conflicts with other owners refuse the apply unless forced).
import type { SchemaNode } from '../schema/types.js';
import type { KubeObject } from '../types.js';
import {
  compare,
  difference,
  type FieldSet,
  fieldsOf,
  intersection,
  isEmpty,
  jsonEqual,
  members,
  pathString,
  union,
} from './fieldset.js';
import { mergeValue, pruneValue } from './merge.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldSet;
  subresource?: string;
}

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** What part of the object a write may own: the main resource without status, only status, or everything. */
export type Scope = 'all' | 'main' | 'status';

export interface WriteContext {
  schema: SchemaNode | undefined;
  /** group/version of the request, e.g. `apps/v1`. */
  apiVersion: string;
  manager: string;
  subresource?: string;
  scope: Scope;
  /** Seconds-precision RFC 3339 time of the write. */
  now: string;
}

export class ApplyConflictError extends Error {
  constructor(
    message: string,
    readonly causes: Array<{ reason: 'FieldManagerConflict'; message: string; field: string }>,
  ) {
    super(message);
  }
}

/** Server-owned metadata that no manager owns (structured-merge-diff's stripped fields). */
const STRIPPED_META = ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'generation', 'managedFields', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** Removes the fields no manager may own, and the ones outside the write's scope. */
export function stripSet(set: FieldSet, scope: Scope): FieldSet {
  if (isEmpty(set)) return set;
  if (scope === 'status') {
    const s = set['f:status'];
    return s ? { 'f:status': s } : {};
  }
  let out: FieldSet | undefined;
  const drop = (k: string) => {
    if (!Object.hasOwn(out ?? set, k)) return;
    out ??= { ...set };
    delete out[k];
  };
  drop('f:apiVersion');
  drop('f:kind');
  if (scope === 'main') drop('f:status');
  const meta = set['f:metadata'];
  if (meta) {
    let m: FieldSet | undefined;
    for (const k of ['.', ...STRIPPED_META.map((f) => `f:${f}`)]) {
      if (!Object.hasOwn(m ?? meta, k)) continue;
      m ??= { ...meta };
      delete m[k];
    }
    if (m) {
      out ??= { ...set };
      if (Object.keys(m).length === 0) delete out['f:metadata'];
      else out['f:metadata'] = m;
    }
  }
  return out ?? set;
}

/** The object without what the field manager ignores, for comparing (shallow copies only). */
function comparable(obj: KubeObject | undefined, scope: Scope): unknown {
  if (!obj) return undefined;
  if (scope === 'status') return { status: obj.status };
  const out: Record<string, unknown> = { ...obj };
  if (scope === 'main') delete out.status;
  const m = obj.metadata;
  if (m && m.managedFields !== undefined) {
    const meta: Record<string, unknown> = { ...m };
    delete meta.managedFields;
    out.metadata = meta;
  }
  return out;
}

/** The managedFields to start from: the request's when it carries valid ones, else the stored object's. */
export function baseManagedFields(incoming: unknown, live: unknown): ManagedFieldsEntry[] {
  if (Array.isArray(incoming) && incoming.length > 0) {
    // One empty entry is how a client resets managedFields.
    if (incoming.length === 1 && isPlainEmpty(incoming[0])) return [];
    if (incoming.every(validEntry)) return incoming as ManagedFieldsEntry[];
  }
  return Array.isArray(live) && live.every(validEntry) ? (live as ManagedFieldsEntry[]) : [];
}

function isPlainEmpty(v: unknown): boolean {
  return v !== null && typeof v === 'object' && Object.keys(v).length === 0;
}

function validEntry(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  const x = e as Record<string, unknown>;
  return (
    typeof x.manager === 'string' &&
    (x.operation === 'Apply' || x.operation === 'Update') &&
    (x.fieldsType === undefined || x.fieldsType === 'FieldsV1') &&
    x.fieldsV1 !== null &&
    typeof x.fieldsV1 === 'object' &&
    !Array.isArray(x.fieldsV1)
  );
}

function sameIdentity(e: ManagedFieldsEntry, manager: string, operation: 'Apply' | 'Update', apiVersion: string, subresource: string | undefined): boolean {
  return (
    e.manager === manager &&
    e.operation === operation &&
    (operation === 'Apply' || e.apiVersion === apiVersion) &&
    (e.subresource ?? '') === (subresource ?? '')
  );
}

function entry(manager: string, operation: 'Apply' | 'Update', apiVersion: string, time: string | undefined, set: FieldSet, subresource?: string): ManagedFieldsEntry {
  const e: ManagedFieldsEntry = { manager, operation, apiVersion } as ManagedFieldsEntry;
  if (time) e.time = time;
  e.fieldsType = 'FieldsV1';
  e.fieldsV1 = set;
  if (subresource) e.subresource = subresource;
  return e;
}

/** kube-apiserver's order of managedFields entries: Apply before Update, then by time, manager, version. */
export function sortEntries(entries: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  return entries.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const pt = p.time ?? '';
    const qt = q.time ?? '';
    if (pt !== qt) return pt < qt ? -1 : 1;
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    const ps = p.subresource ?? '';
    const qs = q.subresource ?? '';
    return ps < qs ? -1 : ps > qs ? 1 : 0;
  });
}

/**
 * managedFields after a create or update (operation Update): the writer takes every field it added or
 * changed, those fields leave their other owners, and removed fields leave every owner. Returns `base`
 * itself when the write changed nothing the managers track.
 */
export function trackUpdate(old: KubeObject | undefined, obj: KubeObject, base: ManagedFieldsEntry[], ctx: WriteContext): ManagedFieldsEntry[] {
  const cmp = compare(comparable(old, ctx.scope), comparable(obj, ctx.scope), ctx.schema);
  const changed = stripSet(cmp.changed, ctx.scope);
  const removed = stripSet(cmp.removed, ctx.scope);
  if (isEmpty(changed) && isEmpty(removed)) return base;
  const out: ManagedFieldsEntry[] = [];
  let mine: ManagedFieldsEntry | undefined;
  let touched = false;
  for (const e of base) {
    const set = difference(difference(e.fieldsV1, changed), removed);
    if (set !== e.fieldsV1) touched = true;
    if (sameIdentity(e, ctx.manager, 'Update', ctx.apiVersion, ctx.subresource)) {
      mine = set === e.fieldsV1 ? e : { ...e, fieldsV1: set };
      continue;
    }
    if (isEmpty(set)) continue;
    out.push(set === e.fieldsV1 ? e : { ...e, fieldsV1: set });
  }
  if (!isEmpty(changed)) {
    const set = mine ? union(mine.fieldsV1, changed) : changed;
    out.push(entry(ctx.manager, 'Update', ctx.apiVersion, ctx.now, set, ctx.subresource));
  } else if (mine && !isEmpty(mine.fieldsV1)) {
    out.push(mine);
  }
  if (!touched && isEmpty(changed)) return base;
  return sortEntries(out);
}

export interface ApplyInput {
  /** The stored object (undefined when the apply creates it). */
  live: KubeObject | undefined;
  /** The applied configuration, decoded. */
  config: KubeObject;
  managed: ManagedFieldsEntry[];
  force: boolean;
}

export interface ApplyOutput {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/** Server-side apply of `config` by `ctx.manager` over the live object. Throws ApplyConflictError. */
export function apply(input: ApplyInput, ctx: WriteContext): ApplyOutput {
  const { live, managed } = input;
  let config = input.config;
  if (ctx.scope === 'main' && config.status !== undefined) {
    config = { ...config };
    delete config.status;
  }
  const configSet = stripSet(fieldsOf(config, ctx.schema), ctx.scope);
  const liveNoMF = live ? (comparable(live, 'all') as KubeObject) : ({ metadata: {} } as KubeObject);
  let merged = mergeValue(liveNoMF, config, ctx.schema) as KubeObject;

  const prev = managed.find((e) => sameIdentity(e, ctx.manager, 'Apply', ctx.apiVersion, ctx.subresource));
  const others = managed.filter((e) => e !== prev);
  if (prev && !isEmpty(prev.fieldsV1)) {
    const stale = difference(prev.fieldsV1, configSet);
    if (!isEmpty(stale)) {
      let keep = configSet;
      for (const e of others) keep = union(keep, e.fieldsV1);
      merged = pruneValue(merged, stale, keep, ctx.schema) as KubeObject;
    }
  }

  const cmp = compare(comparable(live, ctx.scope), comparable(merged, ctx.scope), ctx.schema);
  const changed = stripSet(cmp.changed, ctx.scope);
  const removed = stripSet(cmp.removed, ctx.scope);

  const conflicts: Array<{ entry: ManagedFieldsEntry; set: FieldSet }> = [];
  for (const e of others) {
    const c = intersection(e.fieldsV1, changed);
    if (!isEmpty(c)) conflicts.push({ entry: e, set: c });
  }
  let force = input.force;
  if (conflicts.length && !force && ctx.manager === 'kubectl' && live) {
    // Upgrading from client-side apply: fields whose live value still equals the last-applied annotation's
    // are taken over without a conflict.
    const allowed = allowedByLastApplied(live, ctx.schema, ctx.scope);
    const remaining = conflicts.map((c) => ({ entry: c.entry, set: allowed ? difference(c.set, allowed) : c.set })).filter((c) => !isEmpty(c.set));
    if (remaining.length === 0) force = true;
    else conflicts.splice(0, conflicts.length, ...remaining);
  }
  if (conflicts.length && !force) throw conflictError(conflicts);

  const out: ManagedFieldsEntry[] = [];
  for (const e of others) {
    const set = difference(difference(e.fieldsV1, changed), removed);
    if (isEmpty(set)) continue;
    out.push(set === e.fieldsV1 ? e : { ...e, fieldsV1: set });
  }
  const objectChanged = !isEmpty(changed) || !isEmpty(removed);
  const time = objectChanged || !prev || !jsonEqual(prev.fieldsV1, configSet) ? ctx.now : prev.time;
  if (!isEmpty(configSet) || !live) out.push(entry(ctx.manager, 'Apply', ctx.apiVersion, time, configSet, ctx.subresource));

  if (ctx.manager === 'kubectl' && live?.metadata.annotations?.[LAST_APPLIED] !== undefined) {
    // Keep the client-side apply annotation in step, so switching back to client-side apply works.
    const text = lastAppliedText(input.config);
    const annotations = { ...(merged.metadata.annotations ?? {}), [LAST_APPLIED]: text };
    merged = { ...merged, metadata: { ...merged.metadata, annotations } };
  }
  return { object: merged, managedFields: sortEntries(out) };
}

function lastAppliedText(config: KubeObject): string {
  const annotations = { ...(config.metadata?.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  const metadata = { ...(config.metadata ?? {}) } as Record<string, unknown>;
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return JSON.stringify({ ...config, metadata });
}

function allowedByLastApplied(live: KubeObject, schema: SchemaNode | undefined, scope: Scope): FieldSet | undefined {
  const text = live.metadata.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (last === null || typeof last !== 'object') return undefined;
  const lastSet = stripSet(fieldsOf(last, schema), scope);
  // Of the fields the last client-side apply set, the ones the live object still has unchanged.
  const cmp = compare(last, comparable(live, scope), schema);
  return difference(lastSet, cmp.changed);
}

function managerText(e: ManagedFieldsEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

export function conflictError(conflicts: Array<{ entry: ManagedFieldsEntry; set: FieldSet }>): ApplyConflictError {
  const causes: ApplyConflictError['causes'] = [];
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const who = managerText(c.entry);
    for (const p of members(c.set)) {
      const field = pathString(p);
      causes.push({ reason: 'FieldManagerConflict', message: `conflict with ${who}`, field });
      const list = byManager.get(who) ?? [];
      list.push(field);
      byManager.set(who, list);
    }
  }
  let message: string;
  if (causes.length === 1) {
    const c = causes[0] as (typeof causes)[number];
    message = `Apply failed with 1 conflict: ${c.message}: ${c.field}`;
  } else {
    const lines: string[] = [];
    for (const who of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${who}:`);
      for (const f of byManager.get(who) as string[]) lines.push(`- ${f}`);
    }
    message = `Apply failed with ${causes.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApplyConflictError(message, causes);
}
