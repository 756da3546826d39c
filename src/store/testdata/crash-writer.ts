// Child process for the kill -9 test in sqlite.test.ts: writes forever from several concurrent "clients" and
// prints `ack KEY REV` for each write once `durable` resolved, i.e. once it would have been acknowledged.
import { SqliteStore } from '../sqlite.js';

const store = SqliteStore.open(process.argv[2] as string, { historyEvents: 1000 });
let n = 0;
async function client(id: number): Promise<void> {
  for (;;) {
    const key = `/core/configmaps/ns/c${id}-${n++}`;
    const e = await store.create(key, { metadata: { name: key.slice(20), uid: `uid-${n}` }, data: { pad: 'x'.repeat(200) } });
    await store.durable(e.modRevision);
    process.stdout.write(`ack ${key} ${e.modRevision}\n`);
  }
}
for (let i = 0; i < 8; i++) void client(i);
