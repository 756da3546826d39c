// End-to-end: `kubectl rollout history` and `kubectl rollout undo` for a StatefulSet and a DaemonSet, with the
// real kubectl against `kubeloop up`. kubectl reads the ControllerRevisions the controllers keep, and undo
// patches the object's template with the old revision's data (`$patch: replace`); the controller then rolls
// the pods back and records a new revision holding the old template.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kube, rows } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';

let c: Cluster;
const { ok, eventually } = kube(() => c);

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '2', '--timing', 'instant'] });
});

after(async () => {
  await c?.stop();
});

const STS = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
      - name: nginx
        image: nginx:1.24
`;

const DS = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: { app: agent }
  template:
    metadata:
      labels: { app: agent }
    spec:
      containers:
      - name: nginx
        image: nginx:1.24
`;

/** The REVISION column of `kubectl rollout history`. */
function revisions(out: string): string[] {
  return rows(out)
    .slice(2)
    .map((r) => r[0] as string);
}

/** Pod name -> image of the pods with a label, once every one of `count` pods runs `image` and is ready. */
async function podsRunning(selector: string, image: string, count: number): Promise<void> {
  await eventually(
    ['get', 'pods', '-l', selector, '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.containers[0].image} {.status.phase} {.metadata.deletionTimestamp}{"\\n"}{end}'],
    (o) => {
      const lines = o.trim().split('\n').filter(Boolean).map((l) => l.trim().split(' '));
      return lines.length === count && lines.every((l) => l[1] === image && l[2] === 'Running' && l.length === 3);
    },
    `${count} pods of ${selector} running ${image}`,
    90_000,
  );
}

for (const kind of [
  { resource: 'statefulset', short: 'sts', name: 'web', manifest: STS, selector: 'app=web', pods: 2, container: 'nginx' },
  { resource: 'daemonset', short: 'ds', name: 'agent', manifest: DS, selector: 'app=agent', pods: 2, container: 'nginx' },
]) {
  const ref = `${kind.short}/${kind.name}`;
  describe(`kubectl rollout undo ${kind.short}`, () => {
    it('rolls out a new image and records two revisions', async () => {
      assert.equal(await ok(['apply', '-f', '-'], { stdin: kind.manifest }), `${kind.resource}.apps/${kind.name} created\n`);
      const first = await c.kubectl(['rollout', 'status', ref, '--timeout=90s'], { timeoutMs: 100_000 });
      assert.equal(first.code, 0, first.stderr);
      await podsRunning(kind.selector, 'nginx:1.24', kind.pods);

      assert.equal(await ok(['set', 'image', ref, `${kind.container}=nginx:1.25`]), `${kind.resource}.apps/${kind.name} image updated\n`);
      const r = await c.kubectl(['rollout', 'status', ref, '--timeout=90s'], { timeoutMs: 100_000 });
      assert.equal(r.code, 0, r.stderr);
      await podsRunning(kind.selector, 'nginx:1.25', kind.pods);

      const history = await ok(['rollout', 'history', ref]);
      assert.equal(history.split('\n')[0], `${kind.resource}.apps/${kind.name} `);
      assert.deepEqual(rows(history)[1], ['REVISION', 'CHANGE-CAUSE']);
      assert.deepEqual(revisions(history), ['1', '2']);
      const rev1 = await ok(['rollout', 'history', ref, '--revision=1']);
      assert.match(rev1, /Image:\s+nginx:1\.24/);
      const rev2 = await ok(['rollout', 'history', ref, '--revision=2']);
      assert.match(rev2, /Image:\s+nginx:1\.25/);
    });

    it('undo goes back to the first image and records it as revision 3', async () => {
      assert.equal(await ok(['rollout', 'undo', ref]), `${kind.resource}.apps/${kind.name} rolled back\n`);
      const r = await c.kubectl(['rollout', 'status', ref, '--timeout=90s'], { timeoutMs: 100_000 });
      assert.equal(r.code, 0, r.stderr);
      await podsRunning(kind.selector, 'nginx:1.24', kind.pods);
      assert.equal((await ok(['get', kind.short, kind.name, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).trim(), 'nginx:1.24');

      const history = await ok(['rollout', 'history', ref]);
      assert.deepEqual(revisions(history), ['2', '3']);
      assert.match(await ok(['rollout', 'history', ref, '--revision=3']), /Image:\s+nginx:1\.24/);

      // Undoing to a revision that does not exist names it.
      const missing = await c.kubectl(['rollout', 'undo', ref, '--to-revision=9']);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /unable to find specified revision 9 in history/);
    });
  });
}
