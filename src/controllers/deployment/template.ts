// Pod template identity. Two templates are the same when they differ only in the pod-template-hash label
// and in how JSON spells "nothing": kubectl's rollback patch carries `creationTimestamp: null`, Go's key
// order and empty maps where the stored object has none, and all of that must still find the old ReplicaSet.
// The hash (src/controllers/runtime/hash.ts) gives each distinct template a stable ReplicaSet name.
import { semanticEqual } from '../../api/kinds/object-helpers.js';
import { HASH_LABEL } from './types.js';

function withoutHashLabel(tpl: unknown): unknown {
  if (!tpl || typeof tpl !== 'object') return tpl;
  const t = tpl as { metadata?: { labels?: Record<string, string> } };
  const labels = t.metadata?.labels;
  if (!labels || !(HASH_LABEL in labels)) return tpl;
  const { [HASH_LABEL]: _dropped, ...rest } = labels;
  return { ...t, metadata: { ...t.metadata, labels: rest } };
}

export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return semanticEqual(withoutHashLabel(a), withoutHashLabel(b));
}
