// Turning the slices a service has into the slices it should have with few writes: endpoints stay in the
// slice that already holds them, changed ones are replaced in place, new ones fill slices that are being
// rewritten anyway before new slices are made, and a slice about to be deleted is reused for one that
// would be created. A service without endpoints keeps one empty placeholder slice.
import type { KubeObject } from '../../api/types.js';
import { deepEqualJson } from '../../api/validation/meta.js';
import { endpointKey, type PortGroup, portsKey, type SliceEndpoint, type SlicePort } from './desired.js';

export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface SliceContent {
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

export interface SlicePlan {
  create: SliceContent[];
  /** Existing slices with their new content. */
  update: Array<{ slice: KubeObject; content: SliceContent }>;
  /** Existing slices left as they are. */
  keep: KubeObject[];
  delete: KubeObject[];
}

export function contentOf(slice: KubeObject): SliceContent {
  const s = slice as KubeObject & { ports?: SlicePort[]; endpoints?: SliceEndpoint[] };
  return { ports: s.ports ?? [], endpoints: s.endpoints ?? [] };
}

function isPlaceholder(slice: KubeObject): boolean {
  const c = contentOf(slice);
  return c.ports.length === 0 && c.endpoints.length === 0;
}

/** `existing` are the service's own live slices of the wanted address type; `groups` is consumed. */
export function planSlices(existing: readonly KubeObject[], groups: Map<string, PortGroup>, max = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], keep: [], delete: [] };
  const rewritten = new Map<string, Array<{ slice: KubeObject; content: SliceContent }>>();
  const untouched = new Map<string, KubeObject[]>();
  for (const slice of existing) {
    const old = contentOf(slice);
    const key = portsKey(old.ports);
    const group = groups.get(key);
    const kept: SliceEndpoint[] = [];
    for (const ep of old.endpoints) {
      const want = group?.endpoints.get(endpointKey(ep));
      if (!want) continue;
      kept.push(want);
      group?.endpoints.delete(endpointKey(ep));
    }
    if (kept.length === 0) plan.delete.push(slice);
    else if (deepEqualJson(kept, old.endpoints)) untouched.set(key, [...(untouched.get(key) ?? []), slice]);
    else rewritten.set(key, [...(rewritten.get(key) ?? []), { slice, content: { ports: old.ports, endpoints: kept } }]);
  }
  for (const [key, group] of groups) {
    const rest = [...group.endpoints.values()];
    for (const u of rewritten.get(key) ?? []) {
      while (rest.length && u.content.endpoints.length < max) u.content.endpoints.push(rest.shift() as SliceEndpoint);
    }
    // Touch an otherwise unchanged slice only when it takes everything that is left.
    const roomy = (untouched.get(key) ?? []).find((s) => contentOf(s).endpoints.length + rest.length <= max);
    if (rest.length && roomy) {
      untouched.set(key, (untouched.get(key) ?? []).filter((s) => s !== roomy));
      rewritten.set(key, [...(rewritten.get(key) ?? []), { slice: roomy, content: { ports: group.ports, endpoints: [...contentOf(roomy).endpoints, ...rest.splice(0)] } }]);
    }
    while (rest.length) plan.create.push({ ports: group.ports, endpoints: rest.splice(0, max) });
  }
  plan.update = [...rewritten.values()].flat();
  plan.keep = [...untouched.values()].flat();

  if (plan.update.length === 0 && plan.keep.length === 0 && plan.create.length === 0) {
    const only = plan.delete.length === 1 ? plan.delete[0] : undefined;
    if (only && isPlaceholder(only)) {
      plan.delete = [];
      plan.keep = [only];
    } else {
      plan.create.push({ ports: [], endpoints: [] });
    }
  }
  // Rewriting a doomed slice costs one write where delete-and-create costs two, and keeps its name.
  while (plan.create.length && plan.delete.length) {
    plan.update.push({ slice: plan.delete.pop() as KubeObject, content: plan.create.shift() as SliceContent });
  }
  return plan;
}
