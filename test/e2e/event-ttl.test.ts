// --event-ttl: Events disappear one TTL after their last update, as kube-apiserver's etcd leases make them, so
// `kubectl get events` empties out once a workload is gone and stops producing them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kube } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';
import { REPO_ROOT } from './kubectl.js';

describe('--event-ttl', { timeout: 180_000 }, () => {
  let c: Cluster;
  const k = kube(() => c);

  before(async () => {
    // 30 s of cluster time at time scale 10: three seconds of waiting (and of time to see the events first).
    c = await startKubeloop({ args: ['--timing', 'instant', '--time-scale', '10', '--event-ttl', '30s'] });
  });
  after(async () => {
    await c?.stop();
  });

  it('expires the events of a deleted deployment', async () => {
    await k.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
    await k.eventually(['get', 'events'], (o) => /ScalingReplicaSet\s+deployment\/web/.test(o) && /Started\s+pod\/web-/.test(o), 'the rollout\'s events', 30_000);
    await k.ok(['delete', 'deployment', 'web']);
    await k.eventually(['get', 'events'], (o) => o === '', 'the events to expire', 60_000);
    assert.equal((await c.kubectl(['get', 'events'])).stderr.trim(), 'No resources found in default namespace.');
  });

  it('rejects a value that is not a duration with exit code 2', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'up', '--in-memory', '--port', '0', '--event-ttl', '20'], { cwd: REPO_ROOT, timeout: 60_000 }, (err, _out, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr });
      });
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /option '--event-ttl <duration>' argument '20' is invalid\. --event-ttl must be a positive duration such as 90s, 10m or 1h/);
  });
});
