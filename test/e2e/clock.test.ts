// The cluster clock through the ordinary API: ConfigMap kube-system/kubeloop-clock, created at startup with the
// command line's time scale, pauses and resumes cluster time (a container's `sleep 1` loop stops logging, and
// goes on where it was) and changes its rate, all with kubectl alone.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { kube } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';

describe('the cluster clock ConfigMap', { timeout: 180_000 }, () => {
  let c: Cluster;
  const k = kube(() => c);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const ticks = async () => ((await k.ok(['logs', 'deploy/ticker'])).match(/^tick \d+$/gm) ?? []).length;
  const clockData = async () => (YAML.parse(await k.ok(['get', 'cm', 'kubeloop-clock', '-n', 'kube-system', '-o', 'yaml'])) as { data: Record<string, string> }).data;

  before(async () => {
    c = await startKubeloop({ args: ['--timing', 'instant', '--time-scale', '2'] });
  });
  after(async () => {
    await c?.stop();
  });

  it('is created at startup with the command line settings', async () => {
    assert.deepEqual(await clockData(), { timeScale: '2', paused: 'false' });
  });

  it('paused stops a sleep loop until it is resumed', async () => {
    await k.ok(['create', 'deployment', 'ticker', '--image=busybox', '--', 'sh', '-c', 'i=0; while true; do i=$(expr $i + 1); echo "tick $i"; sleep 1; done']);
    await k.eventually(['logs', 'deploy/ticker'], (o) => /^tick 3$/m.test(o), 'three ticks', 30_000);
    await k.ok(['patch', 'cm', 'kubeloop-clock', '-n', 'kube-system', '-p', '{"data":{"paused":"true"}}']);
    await sleep(300); // a sleep already due may still finish
    const frozen = await ticks();
    await sleep(2000); // four cluster seconds at time scale 2, were the clock running
    assert.equal(await ticks(), frozen, 'no tick while the clock is paused');
    const events = await k.ok(['get', 'events', '-n', 'kube-system', '--field-selector', 'reason=ClockChanged', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /Cluster clock paused \(time scale 2\)/);
    await k.ok(['patch', 'cm', 'kubeloop-clock', '-n', 'kube-system', '-p', '{"data":{"paused":"false"}}']);
    await k.eventually(['logs', 'deploy/ticker'], (o) => (o.match(/^tick \d+$/gm) ?? []).length >= frozen + 2, 'ticks again after resuming', 10_000);
  });

  it('timeScale changes the rate at run time, and a bad value changes nothing', async () => {
    await k.ok(['patch', 'cm', 'kubeloop-clock', '-n', 'kube-system', '-p', '{"data":{"timeScale":"20"}}']);
    const from = await ticks();
    await sleep(1000);
    const fast = (await ticks()) - from;
    assert.ok(fast >= 8, `about 20 ticks in a second at time scale 20, saw ${fast}`);
    await k.ok(['patch', 'cm', 'kubeloop-clock', '-n', 'kube-system', '-p', '{"data":{"timeScale":"fast"}}']);
    await k.eventually(
      ['get', 'events', '-n', 'kube-system', '--field-selector', 'reason=InvalidClockSettings', '-o', 'jsonpath={.items[*].message}'],
      (o) => /keeping time scale 20: data.timeScale: invalid value "fast"/.test(o),
      'an InvalidClockSettings event',
      10_000,
    );
  });

  it('comes back with the current settings when deleted', async () => {
    await k.ok(['delete', 'cm', 'kubeloop-clock', '-n', 'kube-system']);
    await k.eventually(['get', 'cm', 'kubeloop-clock', '-n', 'kube-system', '-o', 'jsonpath={.data}'], (o) => /"timeScale":"20"/.test(o) && /"paused":"false"/.test(o), 'the ConfigMap written back', 10_000);
  });
});

describe('cluster time across a restart', { timeout: 180_000 }, () => {
  let c: Cluster | undefined;
  let dir: string | undefined;
  after(async () => {
    await c?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('goes on from where the cluster was, never back to the wall clock', async () => {
    const args = ['--timing', 'instant', '--time-scale', '20', '--nodes', '1'];
    c = await startKubeloop({ durable: true, args });
    dir = c.dir;
    const k = kube(() => c as Cluster);
    const created = async (name: string) => Date.parse(await k.ok(['create', 'configmap', name, '-o', 'jsonpath={.metadata.creationTimestamp}']));
    await new Promise((r) => setTimeout(r, 3000)); // a minute of cluster time at scale 20
    const before = await created('before-restart');
    assert.ok(before > Date.now() + 45_000, 'cluster time runs ahead of the wall clock');
    await c.kill();
    c = await startKubeloop({ durable: true, dir, args });
    const afterRestart = await created('after-restart');
    assert.ok(afterRestart >= before, `cluster time went back: ${new Date(afterRestart).toISOString()} < ${new Date(before).toISOString()}`);
  });
});
