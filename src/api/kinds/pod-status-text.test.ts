import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podStatusCells } from './pod-status-text.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const running = (startedAgo = 60) => ({ running: { startedAt: ago(startedAgo) } });
const waiting = (reason: string) => ({ waiting: { reason } });
const terminated = (reason: string, exitCode: number, finishedAgo = 1, extra: object = {}) => ({
  terminated: { reason, exitCode, startedAt: ago(finishedAgo + 5), finishedAt: ago(finishedAgo), ...extra },
});

function cs(name: string, state: object, more: object = {}) {
  return { name, image: 'img', imageID: '', ready: false, started: false, restartCount: 0, state, lastState: {}, ...more };
}

function pod(status: object, spec: object = {}, metadata: object = {}): any {
  return {
    metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(600), ...metadata },
    spec: { containers: [{ name: 'web', image: 'img' }], ...spec },
    status,
  };
}

function row(p: any): string {
  const c = podStatusCells(p, NOW);
  return `${c.ready} ${c.status} ${c.restarts}`;
}

describe('pod STATUS / READY / RESTARTS', () => {
  it('walks the happy path: Pending, ContainerCreating, Running', () => {
    assert.equal(row(pod({ phase: 'Pending' })), '0/1 Pending 0');
    assert.equal(row(pod({ phase: 'Pending', containerStatuses: [cs('web', waiting('ContainerCreating'))] })), '0/1 ContainerCreating 0');
    assert.equal(row(pod({ phase: 'Running', containerStatuses: [cs('web', running(), { ready: true, started: true })] })), '1/1 Running 0');
  });

  it('shows a crash loop with the time since the last exit', () => {
    const p = pod({
      phase: 'Running',
      containerStatuses: [cs('web', waiting('CrashLoopBackOff'), { restartCount: 5, lastState: terminated('Error', 1, 129) })],
    });
    assert.equal(row(p), '0/1 CrashLoopBackOff 5 (2m9s ago)');
    const between = pod({ phase: 'Running', containerStatuses: [cs('web', terminated('Error', 1, 1), { restartCount: 1, lastState: terminated('Error', 1, 2) })] });
    assert.equal(row(between), '0/1 Error 1 (2s ago)');
  });

  it('shows image pull failures', () => {
    assert.equal(row(pod({ phase: 'Pending', containerStatuses: [cs('web', waiting('ErrImagePull'))] })), '0/1 ErrImagePull 0');
    assert.equal(row(pod({ phase: 'Pending', containerStatuses: [cs('web', waiting('ImagePullBackOff'))] })), '0/1 ImagePullBackOff 0');
  });

  it('shows Completed and Error for finished pods', () => {
    assert.equal(row(pod({ phase: 'Succeeded', containerStatuses: [cs('web', terminated('Completed', 0))] })), '0/1 Completed 0');
    assert.equal(row(pod({ phase: 'Failed', containerStatuses: [cs('web', terminated('Error', 1))] })), '0/1 Error 0');
    assert.equal(row(pod({ phase: 'Failed', containerStatuses: [cs('web', { terminated: { exitCode: 137, signal: 9 } })] })), '0/1 Signal:9 0');
    assert.equal(row(pod({ phase: 'Failed', containerStatuses: [cs('web', { terminated: { exitCode: 3 } })] })), '0/1 ExitCode:3 0');
  });

  it('lets the first container win and turns Completed beside a running one into Running or NotReady', () => {
    const two = { containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i' }] };
    const mixed = (readyCond: string) => pod({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: readyCond }],
      containerStatuses: [cs('a', terminated('Completed', 0)), cs('b', running(), { ready: true, started: true })],
    }, two);
    assert.equal(row(mixed('True')), '1/2 Running 0');
    assert.equal(row(mixed('False')), '1/2 NotReady 0');
    const bothWaiting = pod({ phase: 'Pending', containerStatuses: [cs('a', waiting('ImagePullBackOff')), cs('b', waiting('ContainerCreating'))] }, two);
    assert.equal(row(bothWaiting), '0/2 ImagePullBackOff 0');
  });

  it('shows init progress', () => {
    const spec = { initContainers: [{ name: 'init-a', image: 'i' }, { name: 'init-b', image: 'i' }] };
    const first = pod({
      phase: 'Pending',
      conditions: [{ type: 'Initialized', status: 'False' }],
      initContainerStatuses: [cs('init-a', running()), cs('init-b', waiting('PodInitializing'))],
      containerStatuses: [cs('web', waiting('PodInitializing'))],
    }, spec);
    assert.equal(row(first), '0/1 Init:0/2 0');
    const second = pod({
      phase: 'Pending',
      conditions: [{ type: 'Initialized', status: 'False' }],
      initContainerStatuses: [cs('init-a', terminated('Completed', 0)), cs('init-b', running())],
      containerStatuses: [cs('web', waiting('PodInitializing'))],
    }, spec);
    assert.equal(row(second), '0/1 Init:1/2 0');
    const done = pod({
      phase: 'Pending',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [cs('init-a', terminated('Completed', 0)), cs('init-b', terminated('Completed', 0))],
      containerStatuses: [cs('web', waiting('PodInitializing'))],
    }, spec);
    assert.equal(row(done), '0/1 PodInitializing 0');
    const crashing = pod({
      phase: 'Pending',
      initContainerStatuses: [cs('init-a', waiting('CrashLoopBackOff'), { restartCount: 3, lastState: terminated('Error', 1, 30) }), cs('init-b', waiting('PodInitializing'))],
      containerStatuses: [cs('web', waiting('PodInitializing'))],
    }, spec);
    assert.equal(row(crashing), '0/1 Init:CrashLoopBackOff 3 (30s ago)');
    const failed = pod({ phase: 'Failed', initContainerStatuses: [cs('init-a', terminated('Error', 1))] }, spec);
    assert.equal(row(failed), '0/1 Init:Error 0');
    const coded = pod({ phase: 'Failed', initContainerStatuses: [cs('init-a', { terminated: { exitCode: 2 } })] }, spec);
    assert.equal(row(coded), '0/1 Init:ExitCode:2 0');
  });

  it('counts started sidecars toward READY and their restarts toward RESTARTS', () => {
    const spec = { initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }] };
    const p = pod({
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
      initContainerStatuses: [cs('proxy', running(), { ready: true, started: true, restartCount: 1, lastState: terminated('Error', 1, 600) })],
      containerStatuses: [cs('web', running(), { ready: true, started: true })],
    }, spec);
    assert.equal(row(p), '2/2 Running 1 (10m ago)');
  });

  it('shows Terminating, keeps a finished phase, and Unknown for lost nodes', () => {
    const live = { phase: 'Running', containerStatuses: [cs('web', running(), { ready: true, started: true })] };
    assert.equal(row(pod(live, {}, { deletionTimestamp: ago(0) })), '1/1 Terminating 0');
    const done = { phase: 'Succeeded', containerStatuses: [cs('web', terminated('Completed', 0))] };
    assert.equal(row(pod(done, {}, { deletionTimestamp: ago(0) })), '0/1 Completed 0');
    assert.equal(row(pod({ ...live, reason: 'NodeLost' }, {}, { deletionTimestamp: ago(0) })), '1/1 Unknown 0');
  });

  it('uses status.reason and the scheduling-gated condition', () => {
    assert.equal(row(pod({ phase: 'Failed', reason: 'Evicted' })), '0/1 Evicted 0');
    const gated = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] });
    assert.equal(row(gated), '0/1 SchedulingGated 0');
  });
});
