import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configMapDescriptor } from '../api/kinds/configmap.js';
import { allKinds } from '../api/kinds/index.js';
import { Registry } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import { ApiServer } from '../apiserver/server.js';
import { InformerFactory } from '../client/informer.js';
import { InProcessClient } from '../client/inprocess.js';
import { MemoryStore } from '../store/memory.js';
import { AdjustableClock, anchoredTime, FakeClock, wallOf } from './clock.js';
import { CLOCK_ANCHOR_ANNOTATION, CLOCK_CONFIGMAP_NAME, CLOCK_CONFIGMAP_NAMESPACE, parseClockAnchor, startClockControl } from './control.js';

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('clock anchors', () => {
  it("a clock that adopts another one's anchor tells its time from then on, timers included", () => {
    const wall = new FakeClock(0);
    const a = new AdjustableClock({ rate: 10, start: 5_000_000 }, wallOf(wall));
    wall.advance(3000);
    const b = new AdjustableClock({ rate: 10 }, wallOf(wall));
    const fired: number[] = [];
    b.after(10_000, () => fired.push(b.now()));
    assert.notEqual(b.now(), a.now());
    b.adopt(a.anchor());
    assert.equal(b.now(), a.now());
    wall.advance(500);
    assert.equal(b.now(), a.now());
    assert.equal(anchoredTime(a.anchor(), wall.now()), a.now());
    // The timer was due 10 s of cluster time after it was set on b's old time: b jumped ahead, so it is due now.
    wall.advance(1);
    assert.equal(fired.length, 1);
  });

  it('processes sharing a store agree on cluster time, also after a kubectl edit of the time scale', async () => {
    const wall = new FakeClock(1_000_000);
    const server = new ApiServer({ store: new MemoryStore(), registry: new Registry([...allKinds]), clock: wall });
    await server.namespaces.start();
    const process = async (startOffset: number, adopt: boolean) => {
      const clock = new AdjustableClock({ rate: 10, start: wall.now() + startOffset }, wallOf(wall));
      const client = new InProcessClient(server.storage);
      const informers = new InformerFactory(client, wall);
      const control = await startClockControl({ client, informers, clock, adopt });
      informers.start();
      return { clock, informers, control };
    };
    const first = await process(0, false);
    wall.advance(2000);
    // A second process started later (its own idea of the time is 20 s behind) joins the cluster.
    const second = await process(-20_000, true);
    await settle();
    assert.equal(second.clock.now(), first.clock.now());

    // A user changes the scale with kubectl: no anchor for the new settings, so one process publishes its own.
    const cm = server.storage.get(configMapDescriptor, CLOCK_CONFIGMAP_NAMESPACE, CLOCK_CONFIGMAP_NAME) as KubeObject;
    await server.storage.update(configMapDescriptor, CLOCK_CONFIGMAP_NAMESPACE, CLOCK_CONFIGMAP_NAME, { ...cm, data: { timeScale: '100', paused: 'false' } });
    await settle();
    wall.advance(1000);
    await settle();
    assert.equal(first.clock.settings().rate, 100);
    assert.equal(second.clock.now(), first.clock.now());
    const stored = parseClockAnchor(server.storage.get(configMapDescriptor, CLOCK_CONFIGMAP_NAMESPACE, CLOCK_CONFIGMAP_NAME) as KubeObject);
    assert.equal(stored?.rate, 100);
    assert.equal(anchoredTime(stored!, wall.now()), first.clock.now());
    for (const p of [first, second]) {
      p.control.stop();
      p.informers.stop();
    }
  });

  it('ignores a malformed anchor', () => {
    const cm = (v: string) => ({ metadata: { annotations: { [CLOCK_ANCHOR_ANNOTATION]: v } } }) as KubeObject;
    assert.equal(parseClockAnchor(cm('nope')), undefined);
    assert.equal(parseClockAnchor(cm('{"wall":1,"cluster":2,"rate":0,"paused":false}')), undefined);
    assert.deepEqual(parseClockAnchor(cm('{"wall":1,"cluster":2,"rate":3,"paused":true}')), { wall: 1, cluster: 2, rate: 3, paused: true });
  });
});
