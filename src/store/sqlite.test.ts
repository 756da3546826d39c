import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { KubeObject } from '../api/types.js';
import { MemoryStore } from './memory.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
import { storeContract } from './contract.js';
import { GoneError, type Store, StoreConflictError, type StoreEvent } from './store.js';

const obj = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({ metadata: { name, uid: `uid-${name}` }, ...extra });

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'kubeloop-sqlite-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Waits until every write so far is durable (and, for SQLite, visible to watchers). */
async function settle(s: Store): Promise<void> {
  await s.durable?.(s.revision());
}

// The same contract for every backend: what the API server relies on (src/store/contract.ts).
const backends: Array<[string, (o?: { historyEvents?: number }) => Store]> = [
  ['MemoryStore', (o) => new MemoryStore(o)],
  ['SqliteStore', (o) => SqliteStore.open(tempDir(), o)],
];

for (const [name, make] of backends) storeContract(name, make);

function fileSize(file: string): number {
  let n = 0;
  for (const f of [file, `${file}-wal`]) {
    try {
      n += statSync(f).size;
    } catch {
      // no WAL file
    }
  }
  return n;
}

describe('SqliteStore', () => {
  const open = (dir: string, o: SqliteStoreOptions = {}) => SqliteStore.open(dir, o);

  it('brings back every object with its uid and resourceVersion, and the revision keeps growing', async () => {
    const dir = tempDir();
    const s = open(dir);
    const a = await s.create('/core/pods/ns/a', obj('a'));
    await s.update('/core/pods/ns/a', obj('a', { spec: { x: 1 } }), a.modRevision);
    await s.create('/apps/deployments/ns/d', obj('d'));
    await s.create('/core/pods/ns/gone', obj('gone'));
    await s.delete('/core/pods/ns/gone'); // the newest revision is a delete: it must not be reused
    const rev = s.revision();
    await settle(s);
    await s.close();

    const t = open(dir);
    assert.equal(t.revision(), rev);
    assert.deepEqual(
      t.list('/').entries.map((e) => [e.key, e.object.metadata.uid, e.object.metadata.resourceVersion, e.modRevision]),
      [
        ['/apps/deployments/ns/d', 'uid-d', String(rev - 2), rev - 2],
        ['/core/pods/ns/a', 'uid-a', String(rev - 3), rev - 3],
      ],
    );
    assert.deepEqual(t.get('/core/pods/ns/a')?.object.spec, { x: 1 });
    assert.ok(Object.isFrozen(t.get('/core/pods/ns/a')?.object.metadata));
    assert.equal((await t.create('/core/pods/ns/b', obj('b'))).modRevision, rev + 1);
    // A stale update against a loaded object is still refused, a current one accepted.
    await assert.rejects(() => t.update('/core/pods/ns/a', obj('a'), rev - 4), StoreConflictError);
    await t.update('/core/pods/ns/a', obj('a', { spec: { x: 2 } }), rev - 3);
    await t.close();
  });

  it('resumes watches across a restart within the window, with the previous state of each change', async () => {
    const dir = tempDir();
    const s = open(dir, { historyEvents: 5 });
    const a = await s.create('/core/pods/ns/a', obj('a', { labels: 1 }));
    await s.update('/core/pods/ns/a', obj('a', { v: 2 }));
    await s.create('/core/pods/ns/b', obj('b'));
    await s.delete('/core/pods/ns/a');
    await settle(s);
    await s.close();

    const t = open(dir, { historyEvents: 5 });
    const seen: StoreEvent[] = [];
    t.watch('/core/pods/', a.modRevision - 1, (e) => seen.push(e));
    assert.deepEqual(seen.map((e) => `${e.type} ${e.key} ${e.revision}`), [
      `ADDED /core/pods/ns/a ${a.modRevision}`,
      `MODIFIED /core/pods/ns/a ${a.modRevision + 1}`,
      `ADDED /core/pods/ns/b ${a.modRevision + 2}`,
      `DELETED /core/pods/ns/a ${a.modRevision + 3}`,
    ]);
    assert.equal(seen[1]?.prev, seen[0]?.entry);
    assert.equal(seen[3]?.prev, seen[1]?.entry);
    assert.equal(seen[3]?.entry.object.metadata.resourceVersion, String(a.modRevision + 3));
    assert.deepEqual(seen[3]?.entry.object.v, 2);
    // The current object and its last event share one entry (no second copy in memory).
    assert.equal(seen[2]?.entry, t.get('/core/pods/ns/b'));

    // Beyond the window after a restart: Gone, exactly as before it.
    for (let i = 0; i < 10; i++) await t.create(`/core/pods/ns/p${i}`, obj(`p${i}`));
    await settle(t);
    const oldest = t.oldestWatchableRevision();
    await t.close();
    const u = open(dir, { historyEvents: 5 });
    assert.equal(u.oldestWatchableRevision(), oldest);
    assert.throws(() => u.watch('/core/pods/', oldest - 1, () => {}), GoneError);
    const replay: StoreEvent[] = [];
    u.watch('/core/pods/', oldest, (e) => replay.push(e));
    assert.equal(replay.length, 5);
    await u.close();
  });

  it('rebuilds the state before a deletion whose earlier events left the window', async () => {
    const dir = tempDir();
    const s = open(dir, { historyEvents: 2 });
    const x = await s.create('/core/pods/ns/x', obj('x', { spec: { keep: true } }));
    for (let i = 0; i < 3; i++) await s.create(`/core/configmaps/ns/c${i}`, obj(`c${i}`));
    await s.delete('/core/pods/ns/x');
    await settle(s);
    await s.close();
    const t = open(dir, { historyEvents: 2 });
    const seen: StoreEvent[] = [];
    t.watch('/core/pods/', t.oldestWatchableRevision(), (e) => seen.push(e));
    assert.equal(seen.length, 1);
    const del = seen[0] as StoreEvent;
    assert.equal(del.type, 'DELETED');
    assert.equal(del.prev?.modRevision, x.modRevision);
    assert.equal(del.prev?.object.metadata.resourceVersion, String(x.modRevision));
    assert.deepEqual(del.prev?.object.spec, { keep: true });
    await t.close();
  });

  it('group-commits the writes of one event-loop turn and resolves durable() in order after the commit', async () => {
    const s = open(tempDir());
    const commits = s.stats.commits;
    const order: number[] = [];
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      const e = await s.create(`/core/pods/ns/p${i}`, obj(`p${i}`));
      waits.push(s.durable(e.modRevision).then(() => void order.push(e.modRevision)));
    }
    assert.equal(s.committedRevision() < s.revision(), true, 'nothing is durable before the commit');
    await Promise.all(waits);
    assert.equal(s.stats.commits, commits + 1, 'one transaction for the whole turn');
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.equal(s.committedRevision(), s.revision());
    // Already durable: resolves at once.
    await s.durable(1);
    await s.close();
  });

  it('delivers a watch event only after its write is committed', async () => {
    const s = open(tempDir());
    const seen: Array<{ rev: number; committed: number }> = [];
    s.watch('/core/pods/', s.revision(), (e) => seen.push({ rev: e.revision, committed: s.committedRevision() }));
    await s.create('/core/pods/ns/a', obj('a'));
    await s.create('/core/pods/ns/b', obj('b'));
    assert.equal(seen.length, 0, 'not delivered in the writing turn');
    await settle(s);
    assert.equal(seen.length, 2);
    for (const x of seen) assert.ok(x.committed >= x.rev, `event ${x.rev} delivered at committed ${x.committed}`);
    await s.close();
  });

  it('refuses a second process (or store) on the same database', async () => {
    const dir = tempDir();
    const s = open(dir);
    assert.throws(() => open(dir), /in use by another kubeloop/);
    await s.close();
    open(dir).close();
  });

  it('keeps the database bounded under churn (old events are deleted, free pages reused)', async () => {
    const dir = tempDir();
    // NORMAL: this test is about space, and 600 fsyncs would only make it slow.
    const s = open(dir, { historyEvents: 100, synchronous: 'NORMAL' });
    const pad = 'x'.repeat(1000);
    const churn = async (rounds: number) => {
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < 50; k++) {
          const key = `/core/configmaps/ns/k${k % 10}`;
          if (s.get(key)) await s.update(key, obj(`k${k % 10}`, { data: { pad, r } }));
          else await s.create(key, obj(`k${k % 10}`, { data: { pad, r } }));
        }
        await settle(s);
      }
    };
    await churn(60); // 3,000 writes, 50 per commit
    const early = fileSize(s.file);
    await churn(540); // 27,000 more
    const late = fileSize(s.file);
    await s.close();
    const db = new Database(path.join(dir, 'store.db'), { readonly: true });
    const events = (db.prepare('SELECT count(*) AS n FROM revs').get() as { n: number }).n;
    const size = statSync(path.join(dir, 'store.db')).size;
    db.close();
    assert.ok(events <= 100 + 10, `${events} rows kept for a window of 100 events and 10 keys`);
    assert.ok(late <= early * 1.5 + 256 * 1024, `db+wal grew from ${early} to ${late} bytes under churn`);
    assert.ok(size < 2 * 1024 * 1024, `database file ${size} bytes after 30,000 writes to 10 keys`);
  });

  it('loses no acknowledged write when the process is killed with SIGKILL', async () => {
    const dir = tempDir();
    const writer = path.join(import.meta.dirname, 'testdata', 'crash-writer.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: Array<[string, number]> = [];
    let buf = '';
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => {
        buf += d;
        const lines = buf.split('\n');
        buf = lines.pop() as string;
        for (const l of lines) {
          const [, key, rev] = l.split(' ');
          acked.push([key as string, Number(rev)]);
        }
        if (acked.length >= 2000) resolve();
      });
    });
    child.kill('SIGKILL');
    await exited;
    const s = open(dir, { historyEvents: 1000 });
    for (const [key, rev] of acked) assert.equal(s.get(key)?.modRevision, rev, `acknowledged ${key} at ${rev}`);
    const maxAcked = Math.max(...acked.map(([, r]) => r));
    assert.ok(s.revision() >= maxAcked);
    // What survived is a prefix of the history: every revision up to the newest is there.
    assert.equal(s.count('/core/configmaps/'), s.revision() - 1);
    await s.close();
  });
});
