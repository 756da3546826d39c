// Compaction of etcd's history, as kube-apiserver does it: every interval, the API server that wins a
// compare-and-swap on `compact_rev_key` compacts etcd to the revision recorded one interval earlier. Without
// it etcd keeps every revision of every object and its database grows until it hits its quota and refuses
// writes. Several processes may run this: the CAS on the key's version lets one of them compact per interval,
// and each loser learns the key's version so it can compete at the next tick. Our own watches resume from the
// in-process watch cache, so compacting etcd never breaks them (a cache that falls behind relists).
import type { Etcd3 } from 'etcd3';

/** The key kube-apiserver uses, so a kubeloop and a kube-apiserver on one etcd would coordinate. */
export const COMPACT_REV_KEY = 'compact_rev_key';

export interface CompactStep {
  /** The version of compact_rev_key this process expects next. */
  version: number;
  /** The revision etcd was at during this step: the next step compacts to it. */
  revision: number;
  /** The revision compacted to in this step, if this process did it. */
  compacted?: number;
}

/** One step: claim this interval through the key's version, then compact to the revision of the last step. */
export async function compactStep(client: Etcd3, expectVersion: number, compactTo: number): Promise<CompactStep> {
  const res = await client
    .if(COMPACT_REV_KEY, 'Version', '==', expectVersion)
    .then(client.put(COMPACT_REV_KEY).value(String(compactTo)))
    .else(client.get(COMPACT_REV_KEY))
    .commit();
  const revision = Number(res.header.revision);
  if (!res.succeeded) {
    const kv = res.responses[0]?.response_range?.kvs?.[0];
    return { version: Number(kv?.version ?? 0), revision };
  }
  // The first step only records where etcd is; compacting to 0 would mean nothing.
  if (compactTo === 0) return { version: expectVersion + 1, revision };
  await client.kv.compact({ revision: String(compactTo) });
  return { version: expectVersion + 1, revision, compacted: compactTo };
}

export interface Compactor {
  stop(): void;
}

/** Runs compactStep every `intervalMs` of wall time (etcd's history is wall-clock bound, not the cluster clock's). */
export function startCompactor(client: Etcd3, intervalMs: number, log?: (m: string) => void): Compactor {
  let version = 0;
  let revision = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      const step = await compactStep(client, version, revision);
      version = step.version;
      revision = step.revision;
      if (step.compacted) log?.(`compacted etcd to revision ${step.compacted}`);
    } catch (err) {
      // A compaction to a revision already compacted (another process got there) or a lost connection:
      // the next interval tries again with what it learns then.
      log?.(`etcd compaction: ${(err as Error).message}`);
    }
    if (!stopped) schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => void tick(), intervalMs);
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
