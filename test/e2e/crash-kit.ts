// What the crash tests share: a writer whose acknowledged writes must survive any crash, and the checks on them.
import type { Cluster } from './harness.js';
import { sleep } from './expect.js';

type Ok = (args: string[]) => Promise<string>;

export interface Writer {
  /** Names kubectl reported "created" for, in order. */
  readonly acknowledged: string[];
  stop(): Promise<void>;
}

/** Creates ConfigMaps one after another through the cluster `via` names at each step (none: wait); a name
 * counts only once kubectl said "created", so only those may be asked of the store afterwards. */
export function startWriter(via: (n: number) => Cluster | undefined): Writer {
  const acknowledged: string[] = [];
  let writing = true;
  let n = 0;
  const loop = (async () => {
    while (writing) {
      const c = via(n);
      const name = `ack-${n++}`;
      const r = c ? await c.kubectl(['create', 'configmap', name, `--from-literal=n=${n}`], { timeoutMs: 10_000 }) : undefined;
      if (r?.code === 0 && r.stdout.includes('created')) acknowledged.push(name);
      else await sleep(100);
    }
  })();
  return {
    acknowledged,
    async stop() {
      writing = false;
      await loop;
    },
  };
}

/** Acknowledged ConfigMaps missing from a listing. Only writes acknowledged before the listing starts can be
 * asked of it (the writer keeps going). */
export async function lostWrites(ok: Ok, writer: Writer): Promise<string[]> {
  const asked = writer.acknowledged.slice();
  const present = new Set((await ok(['get', 'configmaps', '-o', 'name'])).trim().split('\n').map((l) => l.replace('configmap/', '')));
  return asked.filter((a) => !present.has(a));
}

/** The highest resourceVersion among the kinds the tests write. */
export async function maxResourceVersion(ok: Ok, kinds = 'deploy,rs,pods,jobs,cronjobs,configmaps'): Promise<number> {
  const out = await ok(['get', kinds, '-A', '-o', 'jsonpath={range .items[*]}{.metadata.resourceVersion}{"\\n"}{end}']);
  return Math.max(0, ...out.trim().split('\n').filter(Boolean).map(Number));
}
