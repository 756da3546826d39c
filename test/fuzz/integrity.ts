// After the fuzz run: reopen the SQLite store from disk and check that everything in it is an object the API
// server could have accepted — it parses, carries its identity, sits under the right key, decodes against its
// kind's schema and passes the kind's validation. Anything else means hostile input got past the front door.
import { allKinds } from '../../src/api/kinds/index.js';
import { Registry } from '../../src/api/registry.js';
import type { KubeObject } from '../../src/api/types.js';
import { validateObjectMeta } from '../../src/api/validation/meta.js';
import { ApiServer } from '../../src/apiserver/server.js';
import { decodeBody } from '../../src/apiserver/storage/decode.js';
import { listPrefix, objectKey } from '../../src/apiserver/storage/keys.js';
import { FakeClock } from '../../src/clock/clock.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { entryJson } from '../../src/store/store.js';

export interface IntegrityReport {
  objects: number;
  byKind: Record<string, number>;
  problems: string[];
}

export async function checkStoredObjects(dataDir: string): Promise<IntegrityReport> {
  const store = SqliteStore.open(dataDir);
  const registry = new Registry([...allKinds]);
  // The API server's constructor registers the stored CRDs' kinds, as a restarted kubeloop would.
  const server = new ApiServer({ store, registry, clock: new FakeClock() });
  const report: IntegrityReport = { objects: 0, byKind: {}, problems: [] };
  const served = (key: string) => registry.all().some((d) => key.startsWith(listPrefix(d)));
  try {
    for (const e of store.list('/').entries) {
      // The server's own bookkeeping (address allocations) is not an API object: it only has to parse.
      if (!served(e.key)) {
        try {
          JSON.parse(entryJson(e));
        } catch (err) {
          report.problems.push(`${e.key}: stored JSON does not parse: ${(err as Error).message}`);
        }
        continue;
      }
      report.objects++;
      const problems = objectProblems(registry, e.key, entryJson(e), e.modRevision);
      for (const p of problems) report.problems.push(`${e.key}: ${p}`);
      const kind = e.key.split('/').slice(1, 3).join('/');
      report.byKind[kind] = (report.byKind[kind] ?? 0) + 1;
    }
  } finally {
    await server.close();
    await store.close();
  }
  return report;
}

function objectProblems(registry: Registry, key: string, json: string, modRevision: number): string[] {
  let obj: KubeObject;
  try {
    obj = JSON.parse(json) as KubeObject;
  } catch (err) {
    return [`stored JSON does not parse: ${(err as Error).message}`];
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return ['stored value is not an object'];
  const m = obj.metadata;
  if (!m || typeof m !== 'object') return ['no metadata'];
  const out: string[] = [];
  if (typeof m.name !== 'string' || m.name === '') out.push('no metadata.name');
  if (typeof m.uid !== 'string' || m.uid === '') out.push('no metadata.uid');
  if (m.resourceVersion !== String(modRevision)) out.push(`metadata.resourceVersion ${String(m.resourceVersion)} is not the stored revision ${modRevision}`);
  if (typeof m.creationTimestamp !== 'string' || Number.isNaN(Date.parse(m.creationTimestamp))) out.push(`bad metadata.creationTimestamp ${String(m.creationTimestamp)}`);
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return [...out, 'no apiVersion/kind'];
  const d = registry.forObject(obj.apiVersion, obj.kind);
  if (!d) return [...out, `no served kind for ${obj.apiVersion} ${obj.kind}`];
  if (typeof m.name === 'string' && objectKey(d, m.namespace, m.name) !== key) out.push(`stored under a key that does not match its identity (${objectKey(d, m.namespace, m.name)})`);
  try {
    const warnings: string[] = [];
    decodeBody(d, structuredClone(obj), 'Strict', warnings);
    if (warnings.length) out.push(`decode warnings: ${warnings.join('; ')}`);
  } catch (err) {
    out.push(`does not decode as ${d.kind}: ${(err as Error).message}`);
  }
  // As an update to itself: every rule about content applies, none about a transition.
  const copy = structuredClone(obj);
  const causes = [...validateObjectMeta(copy, d.namespaced, d.nameValidator), ...(d.validate?.(copy, structuredClone(obj)) ?? []), ...(d.validateUpdate?.(copy, structuredClone(obj)) ?? [])];
  for (const c of causes) out.push(`invalid: ${c.field}: ${c.message}`);
  return out;
}
