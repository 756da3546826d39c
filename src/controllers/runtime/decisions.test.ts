import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecisionLog, decisionRecorder } from './decisions.js';

const obj = (uid: string, name = uid) => ({ kind: 'Deployment', metadata: { uid, name, namespace: 'default' } });

test('keeps the newest entries per object, oldest first', () => {
  const log = new DecisionLog({ perObject: 3 });
  for (let i = 1; i <= 5; i++) log.record(obj('a'), 'c', `m${i}`, i);
  assert.deepEqual(
    log.get('a').map((d) => d.message),
    ['m3', 'm4', 'm5'],
  );
  assert.deepEqual(log.target('a'), { uid: 'a', kind: 'Deployment', namespace: 'default', name: 'a' });
});

test('drops the least recently written object beyond the object bound', () => {
  const log = new DecisionLog({ objects: 2 });
  log.record(obj('a'), 'c', 'x', 1);
  log.record(obj('b'), 'c', 'x', 2);
  log.record(obj('a'), 'c', 'y', 3); // a is now the most recent
  log.record(obj('c'), 'c', 'x', 4); // b goes
  assert.equal(log.objectCount, 2);
  assert.deepEqual(log.get('b'), []);
  assert.equal(log.get('a').length, 2);
  assert.equal(log.get('c').length, 1);
});

test('a repeated message is counted in one entry with the latest time', () => {
  const log = new DecisionLog();
  log.record(obj('a'), 'c', 'waits', 1);
  log.record(obj('a'), 'c', 'waits', 2);
  log.record(obj('a'), 'c', 'waits', 3);
  const [d] = log.get('a');
  assert.equal(log.get('a').length, 1);
  assert.equal(d?.count, 3);
  assert.equal(d?.time, 3);
  log.record(obj('a'), 'other', 'waits', 4);
  assert.equal(log.get('a').length, 2);
});

test('after= returns only newer entries, and objects without a uid are ignored', () => {
  const log = new DecisionLog();
  log.record(obj('a'), 'c', 'one', 1);
  const seq = log.get('a')[0]?.seq ?? 0;
  log.record(obj('a'), 'c', 'two', 2);
  assert.deepEqual(
    log.get('a', seq).map((d) => d.message),
    ['two'],
  );
  log.record({ metadata: { name: 'no-uid' } }, 'c', 'x', 1);
  assert.equal(log.objectCount, 1);
});

test('recent() merges objects in decision order; the recorder stamps controller and time', () => {
  const log = new DecisionLog();
  let t = 100;
  const rec = decisionRecorder(log, 'replicaset-controller', () => t);
  rec.record(obj('a'), 'first');
  t = 200;
  rec.record(obj('b'), 'second');
  const r = log.recent();
  assert.deepEqual(
    r.map((d) => [d.target.uid, d.message, d.controller, d.time]),
    [
      ['a', 'first', 'replicaset-controller', 100],
      ['b', 'second', 'replicaset-controller', 200],
    ],
  );
});

test('200k records keep both bounds', () => {
  const log = new DecisionLog({ perObject: 20, objects: 1000 });
  for (let i = 0; i < 200_000; i++) log.record({ uid: `u${i % 1000}` }, 'c', `m${i}`, i);
  assert.equal(log.objectCount, 1000);
  assert.equal(log.get('u999').length, 20);
  assert.equal(log.get('u999').at(-1)?.message, 'm199999');
  for (let i = 0; i < 10; i++) log.record({ uid: `new${i}` }, 'c', 'x', 0);
  assert.equal(log.objectCount, 1000);
  assert.deepEqual(log.get('u0'), []);
});
