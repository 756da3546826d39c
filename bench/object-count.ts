// Counts every stored object through the API: discovery names the listable resources, and a list with limit=1
// carries the rest of the count in metadata.remainingItemCount, so no sample reads the whole store.
import type { ApiClient } from './kubeloop-process.js';

export interface Listable {
  /** The list path across all namespaces, e.g. /api/v1/pods or /apis/apps/v1/deployments. */
  path: string;
  name: string;
}

interface ResourceList {
  resources: { name: string; verbs: string[] }[];
}

export async function listableResources(api: ApiClient): Promise<Listable[]> {
  const bases = ['/api/v1'];
  const groups = (await api.must('GET', '/apis')) as { groups: { preferredVersion: { groupVersion: string } }[] };
  // events.k8s.io serves the core Events again under another group: counting both would count them twice.
  for (const g of groups.groups) if (!g.preferredVersion.groupVersion.startsWith('events.k8s.io/')) bases.push(`/apis/${g.preferredVersion.groupVersion}`);
  const out: Listable[] = [];
  for (const base of bases) {
    const list = (await api.must('GET', base)) as ResourceList;
    for (const r of list.resources) {
      if (!r.name.includes('/') && r.verbs.includes('list')) out.push({ path: `${base}/${r.name}`, name: r.name });
    }
  }
  return out;
}

export interface Counts {
  total: number;
  byResource: Map<string, number>;
  /** The highest resourceVersion a list answered with: the store's revision at sampling time. */
  revision: number;
}

export async function countObjects(api: ApiClient, resources: Listable[]): Promise<Counts> {
  const byResource = new Map<string, number>();
  let total = 0;
  let revision = 0;
  for (const r of resources) {
    const res = await api.request('GET', `${r.path}?limit=1`);
    // Virtual resources (reviews and the like) answer lists with an error: they hold nothing.
    if (res.status !== 200) continue;
    const list = res.body as { items?: unknown[]; metadata?: { remainingItemCount?: number; resourceVersion?: string } };
    const n = (list.items?.length ?? 0) + (list.metadata?.remainingItemCount ?? 0);
    byResource.set(r.name, (byResource.get(r.name) ?? 0) + n);
    total += n;
    revision = Math.max(revision, Number(list.metadata?.resourceVersion ?? 0));
  }
  return { total, byResource, revision };
}
