// Where a nodes process's kubelet server listens and the bearer token it accepts, kept in the store under a key
// no API resource maps to (so no client of the API can read the token; every API server process sharing the
// store can). Each Node names the record of the process that runs its kubelet in an annotation.
import type { KubeObject } from '../../api/types.js';
import type { Store } from '../../store/store.js';
import { StoreConflictError } from '../../store/store.js';

export const KUBELET_ENDPOINT_ANNOTATION = 'kubeloop.dev/kubelet-endpoint';
const PREFIX = '/core/kubeletendpoints/_/';

export interface KubeletEndpoint {
  /** https://HOST:PORT */
  url: string;
  token: string;
}

function keyOf(name: string): string {
  return `${PREFIX}${name}`;
}

/** The endpoint a record names, if it exists and is well formed. */
export function readEndpoint(store: Store, name: string): KubeletEndpoint | undefined {
  const o = store.get(keyOf(name))?.object as (KubeObject & Partial<KubeletEndpoint>) | undefined;
  if (!o || typeof o.url !== 'string' || typeof o.token !== 'string') return undefined;
  return { url: o.url, token: o.token };
}

/** Writes (or replaces) this process's record, and drops the records of earlier holders: only the process
 * running the kubelets now can answer, and a stale token should not outlive its server. */
export async function publishEndpoint(store: Store, name: string, ep: KubeletEndpoint): Promise<void> {
  const object: KubeObject = { apiVersion: 'kubeloop.dev/v1', kind: 'KubeletEndpoint', metadata: { name }, url: ep.url, token: ep.token };
  const key = keyOf(name);
  for (let attempt = 0; ; attempt++) {
    try {
      if (store.get(key)) await store.update(key, object);
      else await store.create(key, object);
      break;
    } catch (err) {
      if (!(err instanceof StoreConflictError) || attempt >= 3) throw err;
    }
  }
  for (const e of store.list(PREFIX).entries) if (e.key !== key) await store.delete(e.key, e.modRevision).catch(() => undefined);
}

export async function withdrawEndpoint(store: Store, name: string): Promise<void> {
  const e = store.get(keyOf(name));
  if (e) await store.delete(e.key, e.modRevision).catch(() => undefined);
}
