// What the crash tests share: a writer whose acknowledged writes must survive any crash, and the checks on them.
import assert from 'node:assert/strict';
import type { Cluster } from './harness.js';
import { type Kube, sleep } from './expect.js';

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

/** One value per object of a kubectl listing, by a JSONPath template. */
export async function column(ok: Ok, what: string[], path: string): Promise<string[]> {
  return (await ok([...what, '-o', `jsonpath={range .items[*]}${path}{"\\n"}{end}`])).trim().split('\n').filter(Boolean);
}

/** The Deployment `web` finished its rollout to nginx:1.25 with exactly `replicas` pods and two ReplicaSets, and
 * no CronJob slot ran twice (one Job per scheduled time). Returns the slots. */
export async function assertConverged(k: Kube, via: Cluster, replicas: number): Promise<string[]> {
  const status = await via.kubectl(['rollout', 'status', 'deployment/web', '--timeout=180s'], { timeoutMs: 200_000 });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /deployment "web" successfully rolled out/);
  await k.eventually(['get', 'pods', '-l', 'app=web', '--no-headers'], (o) => o.trim().split('\n').filter(Boolean).length === replicas, `exactly ${replicas} pods once the old ones are gone`, 120_000);
  assert.deepEqual([...new Set(await column(k.ok, ['get', 'pods', '-l', 'app=web'], '{.spec.containers[0].image}'))], ['nginx:1.25']);
  assert.deepEqual((await column(k.ok, ['get', 'rs', '-l', 'app=web'], '{.spec.replicas}')).sort(), ['0', String(replicas)]);
  const slots = await column(k.ok, ['get', 'jobs'], '{.metadata.annotations.batch\\.kubernetes\\.io/cronjob-scheduled-timestamp}');
  assert.equal(new Set(slots).size, slots.length, `duplicate CronJob slots: ${slots.join(' ')}`);
  return slots;
}
