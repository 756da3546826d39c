// Applies the patch types kubectl sends to a stored object, producing a fresh (unfrozen) object, and maps
// patch failures to the status codes kube-apiserver answers with.
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { ApiError, errors } from '../../api/errors.js';
import { applyJsonPatch, JsonPatchError } from '../../api/patch/json.js';
import { applyMergePatch, MergePatchError } from '../../api/patch/merge.js';
import { StrategicMergePatchError, strategicMergePatch } from '../../api/patch/strategic.js';
import { hasSchema, schemaOf } from '../../api/schema/index.js';
import type { KubeObject, StatusDetails } from '../../api/types.js';
import { apply, ApplyConflictError, baseManagedFields, type ManagedFieldsEntry, trackUpdate, type WriteContext } from '../../api/apply/index.js';
import type { SchemaNode } from '../../api/schema/types.js';
import { rfc3339 } from '../../clock/clock.js';
import type { WriteOptions } from './options.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

function failure(d: Pick<ResourceDescriptor, 'group' | 'kind'>, name: string, status: number, reason: string, message: string): ApiError {
  if (status === 422) return new ApiError(422, 'Invalid', message, { name, kind: d.kind, ...(d.group ? { group: d.group } : {}) });
  if (status === 400) return errors.badRequest(message);
  if (status === 413) return new ApiError(413, 'RequestEntityTooLarge', message);
  return new ApiError(status, reason, message);
}

export function applyPatch(d: Pick<ResourceDescriptor, 'group' | 'kind' | 'schemaType'>, current: KubeObject, type: PatchType, patch: unknown): KubeObject {
  const name = current.metadata.name ?? '';
  try {
    switch (type) {
      case 'json':
        return applyJsonPatch(current, patch);
      case 'merge':
        return applyMergePatch(current as Record<string, unknown>, patch) as KubeObject;
      case 'strategic':
        return strategicMergePatch(current as Record<string, unknown>, patch, hasSchema(d.schemaType) ? schemaOf(d.schemaType) : undefined) as KubeObject;
      default:
        throw new ApiError(415, 'UnsupportedMediaType', `patch type ${type} is not supported`);
    }
  } catch (err) {
    if (err instanceof JsonPatchError || err instanceof MergePatchError) throw failure(d, name, err.status, err.reason, err.message);
    if (err instanceof StrategicMergePatchError) throw failure(d, name, err.status, err.reason ?? '', err.message);
    throw err;
  }
}

// ---- managedFields and server-side apply ----

/** The field manager of a write: the fieldManager parameter, else the User-Agent up to its first `/`. */
export function managerOf(opts: Pick<WriteOptions, 'fieldManager' | 'userAgent'>): string {
  if (opts.fieldManager) return opts.fieldManager;
  const ua = opts.userAgent ?? '';
  const prefix = ua.split('/')[0] ?? '';
  return prefix ? prefix.slice(0, 128) : IN_PROCESS_MANAGER;
}

/** The manager of in-process writers (controllers, scheduler, kubelets) that name none. */
export const IN_PROCESS_MANAGER = 'kubeloop';

function schemaFor(d: Pick<ResourceDescriptor, 'schemaType'>): SchemaNode | undefined {
  return hasSchema(d.schemaType) ? schemaOf(d.schemaType) : undefined;
}

function context(d: Pick<ResourceDescriptor, 'group' | 'version' | 'schemaType' | 'hasStatus'>, opts: WriteOptions, subresource: string | undefined, now: number): WriteContext {
  const ctx: WriteContext = {
    schema: schemaFor(d),
    apiVersion: d.group ? `${d.group}/${d.version}` : d.version,
    manager: managerOf(opts),
    scope: subresource === 'status' ? 'status' : d.hasStatus ? 'main' : 'all',
    now: rfc3339(now),
  };
  const sub = subresource ?? opts.managerSubresource;
  if (sub) ctx.subresource = sub;
  return ctx;
}

/** Sets obj.metadata.managedFields for a create (old undefined) or update by an Update-operation writer. */
export function trackManagedFields(
  d: Pick<ResourceDescriptor, 'group' | 'version' | 'schemaType' | 'hasStatus'>,
  old: KubeObject | undefined,
  obj: KubeObject,
  opts: WriteOptions,
  subresource: string | undefined,
  now: number,
): void {
  const m = obj.metadata;
  if (opts.managedFields) {
    m.managedFields = opts.managedFields as KubeObject['metadata']['managedFields'];
    return;
  }
  const base = baseManagedFields(m.managedFields, old?.metadata.managedFields);
  const next = trackUpdate(old, obj, base, context(d, opts, subresource, now));
  if (next.length) m.managedFields = next as unknown as KubeObject['metadata']['managedFields'];
  else delete m.managedFields;
}

/** Validates the apply request options as kube-apiserver's PatchOptions validation does. */
export function checkApplyOptions(type: PatchType, opts: WriteOptions): void {
  if (type !== 'apply') {
    if (opts.force !== undefined) {
      throw errors.invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [
        { reason: 'FieldValueForbidden', field: 'force', message: 'Forbidden: may not be specified for non-apply patch' },
      ]);
    }
    return;
  }
  if (!opts.fieldManager) {
    throw errors.invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [
      { reason: 'FieldValueRequired', field: 'fieldManager', message: 'Required value: is required for apply patch' },
    ]);
  }
}

/** The applied configuration of an apply-patch body, checked against the URL's kind and name. */
export function applyConfiguration(d: Pick<ResourceDescriptor, 'group' | 'version' | 'kind'>, name: string, patch: unknown): KubeObject {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw errors.badRequest(`error decoding YAML: the applied configuration must be an object, got ${JSON.stringify(patch)}`);
  }
  const config = patch as KubeObject;
  const gv = d.group ? `${d.group}/${d.version}` : d.version;
  if (!config.apiVersion || !config.kind) {
    throw errors.badRequest(`invalid object type: ${config.apiVersion ?? ''}, Kind=${config.kind ?? ''}`);
  }
  if (config.apiVersion !== gv) {
    throw errors.badRequest(`Incorrect version specified in apply patch. Specified patch version: ${config.apiVersion}, expected: ${gv}`);
  }
  if (config.kind !== d.kind) {
    throw errors.badRequest(`the kind in the data (${config.kind}) does not match the expected kind (${d.kind})`);
  }
  if (config.metadata?.name !== undefined && config.metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`);
  }
  return config;
}

/** Server-side apply of a decoded configuration over the live object (undefined: the apply creates it). */
export function serverSideApply(
  d: Pick<ResourceDescriptor, 'group' | 'version' | 'kind' | 'plural' | 'schemaType' | 'hasStatus'>,
  live: KubeObject | undefined,
  config: KubeObject,
  opts: WriteOptions,
  subresource: string | undefined,
  now: number,
): { object: KubeObject; managedFields: ManagedFieldsEntry[] } {
  const ctx = context(d, opts, subresource, now);
  const managed = baseManagedFields(undefined, live?.metadata.managedFields);
  try {
    return apply({ live, config, managed, force: opts.force === true }, ctx);
  } catch (err) {
    if (err instanceof ApplyConflictError) {
      const details: StatusDetails = { causes: err.causes };
      throw new ApiError(409, 'Conflict', err.message, details);
    }
    throw err;
  }
}
