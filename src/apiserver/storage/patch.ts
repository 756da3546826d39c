// Applies the patch types kubectl sends to a stored object, producing a fresh (unfrozen) object.
import fastJsonPatch from 'fast-json-patch';
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { errors } from '../../api/errors.js';
import { clone } from '../../api/meta.js';
import type { KubeObject } from '../../api/types.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base = target !== null && typeof target === 'object' && !Array.isArray(target) ? (target as Record<string, unknown>) : {};
  const out = new Map<string, unknown>(Object.entries(base));
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) out.delete(k);
    else out.set(k, mergePatch(out.get(k), v));
  }
  return Object.fromEntries(out);
}

export function applyPatch(_d: ResourceDescriptor, current: KubeObject, type: PatchType, patch: unknown): KubeObject {
  switch (type) {
    case 'json': {
      if (!Array.isArray(patch)) throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      try {
        return fastJsonPatch.applyPatch(clone(current), patch as fastJsonPatch.Operation[], true, true).newDocument as KubeObject;
      } catch (err) {
        throw errors.invalid(_d, current.metadata.name ?? '', [{ reason: '', field: '', message: String((err as Error).message) }]);
      }
    }
    case 'merge':
    case 'strategic':
      return mergePatch(current, patch) as KubeObject;
    default:
      throw new Error(`patch type ${type} is not supported`);
  }
}
