import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podDescriptor } from '../../api/kinds/pod.js';
import { replicaSetDescriptor } from '../../api/kinds/replicaset.js';
import type { KubeObject } from '../../api/types.js';
import { createEventRecorder, EVENTS } from '../../client/events.js';
import { ControllerManager } from '../runtime/manager.js';
import { createStack, makeReady, podTemplate, settle, type TestStack } from '../runtime/testkit.js';
import { replicaSetController } from './index.js';

const NS = 'default';

async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await settle(2);
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function pods(stack: TestStack): Promise<KubeObject[]> {
  return (await stack.client.list(podDescriptor, NS)).items.filter((p) => !p.metadata.deletionTimestamp);
}

describe('ReplicaSet controller under the ControllerManager', () => {
  it('keeps the replica count through scale-up, pod loss and scale-down, and leaves events kubectl shows', async () => {
    const stack = createStack();
    const mgr = new ControllerManager({
      client: stack.client,
      informers: stack.informers,
      clock: stack.clock,
      recorderFor: (component) => createEventRecorder(stack.client, stack.clock, { component }),
    });
    await mgr.add(replicaSetController());
    await mgr.start();
    try {
      await stack.client.create(replicaSetDescriptor, NS, {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'frontend' },
        spec: { replicas: 2, selector: { matchLabels: { tier: 'frontend' } }, template: podTemplate({ tier: 'frontend' }) },
      });
      await until('2 pods', async () => (await pods(stack)).length === 2);
      for (const p of await pods(stack)) await makeReady(stack.client, p, { node: 'node-1' });
      const rs = () => stack.client.get(replicaSetDescriptor, NS, 'frontend');
      await until('2 ready', async () => ((await rs()).status as any)?.readyReplicas === 2);

      // Losing a pod brings a replacement; the terminating one no longer counts.
      const victim = (await pods(stack))[0]!;
      await stack.client.delete(podDescriptor, NS, victim.metadata.name!);
      await until('replacement', async () => (await pods(stack)).length === 2 && (await pods(stack)).every((p) => p.metadata.name !== victim.metadata.name));

      await stack.client.patch(replicaSetDescriptor, NS, 'frontend', 'merge', { spec: { replicas: 4 } });
      await until('4 pods', async () => (await pods(stack)).length === 4);
      await stack.client.patch(replicaSetDescriptor, NS, 'frontend', 'merge', { spec: { replicas: 1 } });
      await until('1 pod', async () => (await pods(stack)).length === 1 && ((await rs()).status as any)?.replicas === 1);
      // The survivor is the ready pod that was not replaced: unscheduled, not-ready pods went first.
      assert.equal(((await pods(stack))[0]!.spec as any).nodeName, 'node-1');

      await until('events', async () => (await stack.client.list(EVENTS, NS)).items.some((e) => e.reason === 'SuccessfulDelete'));
      const events = (await stack.client.list(EVENTS, NS)).items.filter((e) => (e.involvedObject as any).name === 'frontend');
      assert.ok(events.every((e) => (e.source as any).component === 'replicaset-controller'));
      assert.equal(events.filter((e) => e.reason === 'SuccessfulCreate').reduce((n, e) => n + (e.count as number), 0), 5);
      assert.equal(events.filter((e) => e.reason === 'SuccessfulDelete').reduce((n, e) => n + (e.count as number), 0), 3);
    } finally {
      await mgr.stop();
      stack.informers.stop();
    }
  });
});
