// Applies the patch types kubectl sends to a stored object, producing a fresh (unfrozen) object, and maps
// patch failures to the status codes kube-apiserver answers with.
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { ApiError, errors } from '../../api/errors.js';
import { applyJsonPatch, JsonPatchError } from '../../api/patch/json.js';
import { applyMergePatch, MergePatchError } from '../../api/patch/merge.js';
import { StrategicMergePatchError, strategicMergePatch } from '../../api/patch/strategic.js';
import { hasSchema, schemaOf } from '../../api/schema/index.js';
import type { KubeObject } from '../../api/types.js';

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
