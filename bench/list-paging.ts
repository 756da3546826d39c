// Paged lists over a large store: what one `GET .../configmaps?limit=500&continue=...` costs in-process.
// `node --import tsx bench/list-paging.ts [--objects=100000]`. Prints figures, asserts nothing.
import { allKinds } from '../src/api/kinds/index.js';
import { Registry } from '../src/api/registry.js';
import type { KubeObject } from '../src/api/types.js';
import { ResourceStorage } from '../src/apiserver/storage/generic.js';
import { RealClock } from '../src/clock/clock.js';
import { MemoryStore } from '../src/store/memory.js';

const arg = process.argv.find((a) => a.startsWith('--objects='));
const total = arg ? Number(arg.slice('--objects='.length)) : 100_000;
const namespaces = 10;
const pageSize = 500;

const store = new MemoryStore();
const registry = new Registry([...allKinds]);
const storage = new ResourceStorage(store, registry, new RealClock());
const cm = registry.kind('', 'ConfigMap');
if (!cm) throw new Error('no ConfigMap kind');

for (let i = 0; i < total; i++) {
  const ns = `ns-${i % namespaces}`;
  const name = `cm-${String(i).padStart(6, '0')}`;
  const o: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, uid: `uid-${i}`, creationTimestamp: '2026-01-01T00:00:00Z', labels: { shard: String(Math.floor(i / namespaces) % 10) } },
    data: { key: `value-${i}` },
  };
  store.createSync(`/core/configmaps/${ns}/${name}`, o);
}

/** Median of `runs` timings of `f`, in milliseconds. */
function time(f: () => void, runs = 9): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    f();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[runs >> 1] as number;
}

// Walk once to collect the tokens at the start, middle and end of the whole-cluster list.
const tokens: (string | undefined)[] = [undefined];
let cont: string | undefined;
let walked = 0;
const walkStart = process.hrtime.bigint();
do {
  const r = storage.list(cm, undefined, { limit: pageSize, continue: cont });
  walked += r.entries.length;
  cont = r.continue;
  if (cont) tokens.push(cont);
} while (cont);
const walkMs = Number(process.hrtime.bigint() - walkStart) / 1e6;
if (walked !== total) throw new Error(`walked ${walked} of ${total}`);

const at = (t: string | undefined) => () => void storage.list(cm, undefined, { limit: pageSize, continue: t });
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
console.log(`${total} ConfigMaps in ${namespaces} namespaces, pages of ${pageSize}`);
console.log(`  page at start:          ${fmt(time(at(tokens[0])))}`);
console.log(`  page in the middle:     ${fmt(time(at(tokens[tokens.length >> 1])))}`);
console.log(`  last page:              ${fmt(time(at(tokens[tokens.length - 1])))}`);
console.log(`  limit=1:                ${fmt(time(() => void storage.list(cm, undefined, { limit: 1 })))}`);
console.log(`  page, label selector matching 1 in 10: ${fmt(time(() => void storage.list(cm, undefined, { limit: pageSize, labelSelector: 'shard=3', continue: tokens[tokens.length >> 1] })))}`);
console.log(`  page of one namespace (middle): ${fmt(time(() => void storage.list(cm, 'ns-5', { limit: pageSize, continue: tokens[tokens.length >> 1] })))}`);
let n = total;
console.log(
  `  page after one create:  ${fmt(
    time(() => {
      const name = `cm-x${n++}`;
      store.createSync(`/core/configmaps/ns-5/${name}`, { metadata: { name, namespace: 'ns-5' } });
      storage.list(cm, undefined, { limit: pageSize, continue: tokens[tokens.length >> 1] });
    }),
  )}`,
);
console.log(`  whole paged walk (${tokens.length} pages): ${fmt(walkMs)}`);
const again = time(() => {
  let c: string | undefined;
  do c = storage.list(cm, undefined, { limit: pageSize, continue: c }).continue;
  while (c);
}, 3);
console.log(`  whole paged walk, warm: ${fmt(again)}`);
const full = time(() => void storage.list(cm, undefined, {}), 3);
console.log(`  unpaged list of everything: ${fmt(full)}`);
