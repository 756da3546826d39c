// End-to-end: draining a node past a PodDisruptionBudget with the real kubectl. A budget that needs every
// replica stops `kubectl drain` (evictions answer 429 and kubectl keeps retrying until its timeout); once the
// budget is relaxed the drain evicts the node's pods, their Deployment recreates them on the other nodes, and
// the node is uncordoned.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kube, rows } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';

let c: Cluster;
const { ok, eventually } = kube(() => c);

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '3', '--timing', 'instant'] });
});

after(async () => {
  await c?.stop();
});

const PDB = (minAvailable: number) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web-pdb
spec:
  minAvailable: ${minAvailable}
  selector:
    matchLabels:
      app: web
`;

/** NAME READY STATUS RESTARTS AGE IP NODE … rows of the web pods. */
async function webPods(): Promise<string[][]> {
  return rows(await ok(['get', 'pods', '-l', 'app=web', '-o', 'wide'])).slice(1);
}

function pdbRow(out: string): string[] | undefined {
  return rows(out).find((r) => r[0] === 'web-pdb');
}

describe('kubectl drain with a PodDisruptionBudget', () => {
  let node = '';

  it('a budget of minAvailable 3 over 3 replicas allows no disruption', async () => {
    await ok(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3']);
    await eventually(['get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}'], (o) => o === '3', '3 ready replicas');
    assert.equal((await ok(['apply', '-f', '-'], { stdin: PDB(3) })).trim(), 'poddisruptionbudget.policy/web-pdb created');
    await eventually(['get', 'pdb', 'web-pdb', '-o', 'jsonpath={.status.currentHealthy}/{.status.expectedPods}'], (o) => o === '3/3', 'the budget counted');
    const out = await ok(['get', 'pdb']);
    assert.deepEqual(rows(out)[0], ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE']);
    assert.deepEqual(pdbRow(out)?.slice(0, 4), ['web-pdb', '3', 'N/A', '0']);
    const cond = await ok(['get', 'pdb', 'web-pdb', '-o', 'jsonpath={.status.conditions[0].type}={.status.conditions[0].status}/{.status.conditions[0].reason}']);
    assert.equal(cond, 'DisruptionAllowed=False/InsufficientPods');
  });

  it('cordon marks the node unschedulable', async () => {
    node = (await webPods())[0]?.[6] ?? '';
    assert.match(node, /^node-\d$/);
    assert.equal((await ok(['cordon', node])).trim(), `node/${node} cordoned`);
    const row = rows(await ok(['get', 'nodes'])).find((r) => r[0] === node);
    assert.equal(row?.[1], 'Ready,SchedulingDisabled');
  });

  it('drain stops at the budget and fails after its timeout', async () => {
    const r = await c.kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=5s'], { timeoutMs: 60_000 });
    const text = `${r.stdout}${r.stderr}`;
    assert.notEqual(r.code, 0, text);
    assert.match(text, /error when evicting pods\/"web-[a-z0-9-]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
    assert.match(text, /global timeout reached: 5s/);
    // Nothing was evicted.
    assert.equal((await webPods()).filter((p) => p[6] === node && p[2] === 'Running').length > 0, true);
    assert.deepEqual(pdbRow(await ok(['get', 'pdb']))?.slice(1, 4), ['3', 'N/A', '0']);
  });

  it('after relaxing the budget the drain evicts the pods, which come back on other nodes', async () => {
    await ok(['apply', '-f', '-'], { stdin: PDB(2) });
    await eventually(['get', 'pdb'], (o) => pdbRow(o)?.[3] === '1', 'ALLOWED DISRUPTIONS 1');
    const r = await c.kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=90s'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`pod/web-[a-z0-9-]+ evicted`));
    assert.match(r.stdout, new RegExp(`node/${node} drained`));
    await eventually(
      ['get', 'pods', '-l', 'app=web', '-o', 'wide'],
      (o) => {
        const pods = rows(o).slice(1);
        return pods.length === 3 && pods.every((p) => p[1] === '1/1' && p[2] === 'Running' && p[6] !== node);
      },
      '3 running web pods, none on the drained node',
    );
    await eventually(['get', 'pdb'], (o) => pdbRow(o)?.[3] === '1', 'the budget open again');
  });

  it('uncordon makes the node schedulable again', async () => {
    assert.equal((await ok(['uncordon', node])).trim(), `node/${node} uncordoned`);
    const row = rows(await ok(['get', 'nodes'])).find((r) => r[0] === node);
    assert.equal(row?.[1], 'Ready');
  });
});
