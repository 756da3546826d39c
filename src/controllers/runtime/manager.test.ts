// The ControllerManager across leadership terms: a process that loses its lease and wins it back (a flapping
// lease on a loaded machine) must run its controllers again, and one that lost it must stop taking work.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configMapDescriptor } from '../../api/kinds/configmap.js';
import { createEventRecorder } from '../../client/events.js';
import type { ControllerDefinition } from './controller.js';
import { ControllerManager } from './manager.js';
import { createStack, settle } from './testkit.js';

const NS = 'default';

function configMap(name: string) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: {} };
}

/** A controller that records the keys it reconciles and can be held inside a reconcile. */
function recording() {
  const seen: string[] = [];
  let hold: Promise<void> | undefined;
  let release = () => {};
  const def: ControllerDefinition = {
    name: 'recording',
    for: configMapDescriptor,
    async reconcile(key) {
      seen.push(key);
      if (hold) await hold;
    },
  };
  return {
    def,
    seen,
    holdNext() {
      hold = new Promise<void>((r) => (release = r));
    },
    release() {
      hold = undefined;
      release();
    },
  };
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await settle(2);
  }
  assert.fail(`timed out waiting for ${what}`);
}

function managerOn(stack: ReturnType<typeof createStack>): ControllerManager {
  return new ControllerManager({
    client: stack.client,
    informers: stack.informers,
    clock: stack.clock,
    recorderFor: (component) => createEventRecorder(stack.client, stack.clock, { component }),
  });
}

describe('ControllerManager leadership terms', () => {
  it('reconciles again after stop() and start(), including objects that changed in between', async () => {
    const stack = createStack();
    const rec = recording();
    const mgr = managerOn(stack);
    await mgr.add(rec.def);
    await stack.client.create(configMapDescriptor, NS, configMap('a'));
    await mgr.start();
    await until('a reconciled', () => rec.seen.includes('default/a'));

    await mgr.stop();
    rec.seen.length = 0;
    // While another process leads: nothing is reconciled here, but events are not forgotten.
    await stack.client.create(configMapDescriptor, NS, configMap('b'));
    await settle(10);
    assert.deepEqual(rec.seen, []);

    await mgr.start();
    await until('a and b reconciled in the new term', () => rec.seen.includes('default/a') && rec.seen.includes('default/b'));
    await stack.client.create(configMapDescriptor, NS, configMap('c'));
    await until('c reconciled', () => rec.seen.includes('default/c'));
    await mgr.stop();
    stack.informers.stop();
  });

  it('stop() lets the reconcile in hand finish but takes no further queued key', async () => {
    const stack = createStack();
    const rec = recording();
    const mgr = managerOn(stack);
    await mgr.add(rec.def);
    await mgr.start();
    rec.holdNext();
    await stack.client.create(configMapDescriptor, NS, configMap('first'));
    await until('first in hand', () => rec.seen.includes('default/first'));
    for (const n of ['second', 'third']) await stack.client.create(configMapDescriptor, NS, configMap(n));
    await settle(10);

    const stopped = mgr.stop();
    rec.release();
    await stopped;
    assert.deepEqual(rec.seen, ['default/first']);
    stack.informers.stop();
  });
});
