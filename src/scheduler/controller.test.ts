import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeDescriptor } from '../api/kinds/node.js';
import { podDescriptor } from '../api/kinds/pod.js';
import { ControllerManager } from '../controllers/runtime/manager.js';
import { schedulerController } from './controller.js';
import type { Scheduler } from './scheduler.js';
import { node, pod, stack } from './test-util.js';

describe('schedulerController', () => {
  it('schedules through the controller manager, and stops with it', async () => {
    const s = stack();
    const manager = new ControllerManager({ client: s.client, informers: s.informers, clock: s.clock, recorderFor: () => s.recorder });
    let scheduler: Scheduler | undefined;
    await manager.add(schedulerController({ created: (x) => (scheduler = x) }));
    for (const n of ['n1', 'n2']) await s.client.create(nodeDescriptor, undefined, node(n, { cpu: '1' }));
    for (let i = 0; i < 4; i++) await s.client.create(podDescriptor, 'default', pod(`p${i}`, { cpu: '400m' }));
    await manager.start();
    await scheduler?.idle();

    const nodes = await Promise.all([0, 1, 2, 3].map(async (i) => ((await s.client.get(podDescriptor, 'default', `p${i}`)).spec as any).nodeName));
    assert.deepEqual(nodes.sort(), ['n1', 'n1', 'n2', 'n2']);
    assert.equal(s.recorder.events.filter((e) => e.reason === 'Scheduled').length, 4);

    await s.client.create(podDescriptor, 'default', pod('late', { cpu: '400m' }));
    await scheduler?.idle();
    assert.match(s.recorder.about('late')[0]?.message ?? '', /^0\/2 nodes are available: 2 Insufficient cpu\. /);

    await manager.stop();
    await s.client.create(nodeDescriptor, undefined, node('n3', { cpu: '1' }));
    s.clock.advance(10_000);
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    assert.equal(scheduler?.queue.stats().active, 1, 'the pod is ready again');
    assert.equal(((await s.client.get(podDescriptor, 'default', 'late')).spec as any).nodeName, undefined, 'no scheduling once the manager stopped');
    s.informers.stop();
  });
});
