// End-to-end: the tutorial's Job and CronJob walk-through (chapter 7.6) as a user types it, with the real
// kubectl against `kubeloop up --time-scale 20`, so the training run, the 10 s / 20 s failure backoff and
// the one-minute cron schedule pass in seconds.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kube, rows, SEED } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';

let c: Cluster;
const k = kube(() => c);

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '2', '--time-scale', '20'] });
});

after(async () => {
  await c?.stop();
});

function podRows(out: string, prefix: string): string[][] {
  return rows(out)
    .slice(1)
    .filter((r) => new RegExp(`^${prefix}-[bcdfghjklmnpqrstvwxz2456789]{5}$`).test(r[0] ?? ''));
}

describe('tutorial 7.6: Job', () => {
  it('job.yaml runs the training to completion', async () => {
    assert.equal((await k.ok(['apply', '-f', join(SEED, 'job.yaml')])).trim(), 'job.batch/myjob created');
    const waited = await k.ok(['wait', '--for=condition=complete', 'job/myjob', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(waited.trim(), 'job.batch/myjob condition met');
    const jobs = await k.eventually(['get', 'job'], (o) => rows(o)[1]?.slice(0, 3).join(' ') === 'myjob Complete 1/1', 'myjob Complete 1/1', 60_000);
    assert.deepEqual(rows(jobs)[0], ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    assert.match(rows(jobs)[1]?.[3] ?? '', /^\d+(s|m\d*s?)$/);
    const pods = podRows(await k.ok(['get', 'pod']), 'myjob');
    assert.equal(pods.length, 1);
    assert.deepEqual(pods[0]?.slice(1, 4), ['0/1', 'Completed', '0']);
    const logs = await k.ok(['logs', 'job/myjob']);
    assert.match(logs, /Epoch 1\/3/);
    assert.match(logs, /Epoch 3\/3/);
    assert.match(logs, /Test accuracy:/);
    const yaml = await k.ok(['get', 'job', 'myjob', '-o', 'yaml']);
    assert.match(yaml, /type: SuccessCriteriaMet/);
    assert.match(yaml, /type: Complete/);
    assert.match(yaml, /completionTime:/);
    const pod = await k.ok(['get', 'pod', pods[0]![0]!, '-o', 'jsonpath={.metadata.finalizers}']);
    assert.match(pod.trim(), /^(\[\])?$/, 'the tracking finalizer is gone');
  });

  it('job-bug.yaml fails after backoffLimit 2 with three Error pods', async () => {
    assert.equal((await k.ok(['apply', '-f', join(SEED, 'job-bug.yaml')])).trim(), 'job.batch/myjob-bug created');
    await k.eventually(['get', 'job', 'myjob-bug', '-o', 'yaml'], (o) => /type: Failed/.test(o), 'type: Failed', 90_000);
    const yaml = await k.ok(['get', 'job', 'myjob-bug', '-o', 'yaml']);
    assert.match(yaml, /reason: BackoffLimitExceeded/);
    assert.match(yaml, /failed: 3/);
    const pods = podRows(await k.ok(['get', 'pod']), 'myjob-bug');
    assert.equal(pods.length, 3);
    for (const p of pods) assert.deepEqual(p.slice(1, 4), ['0/1', 'Error', '0']);
    const logs = await k.ok(['logs', pods[2]![0]!]);
    assert.match(logs, /ValueError: invalid literal for int\(\) with base 10: 'bug-string'/);
    const get = rows(await k.ok(['get', 'job', 'myjob-bug']));
    assert.deepEqual(get[1]?.slice(0, 3), ['myjob-bug', 'Failed', '0/1']);
    const events = await k.ok(['describe', 'job', 'myjob-bug']);
    assert.match(events, /BackoffLimitExceeded/);
  });

  it('kubectl delete job --all removes the jobs and their pods', async () => {
    await k.ok(['delete', 'job', '--all']);
    await k.eventually(['get', 'pod', '-o', 'name'], (o) => !/pod\/myjob/.test(o), 'job pods gone', 60_000);
  });
});

describe('kubectl create job', () => {
  it('runs an image to completion and keeps the generated labels on the job', async () => {
    assert.equal((await k.ok(['create', 'job', 'pi', '--image=busybox', '--', 'sh', '-c', 'echo done'])).trim(), 'job.batch/pi created');
    await k.ok(['wait', '--for=condition=complete', 'job/pi', '--timeout=60s'], { timeoutMs: 70_000 });
    const labels = await k.ok(['get', 'job', 'pi', '-o', 'jsonpath={.metadata.labels}']);
    for (const l of ['batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name', 'controller-uid', 'job-name']) assert.match(labels, new RegExp(`"${l}"`));
    assert.match(await k.ok(['logs', 'job/pi']), /^done$/m);
    await k.ok(['delete', 'job', 'pi']);
  });
});

describe('Indexed job with backoffLimitPerIndex', () => {
  const manifest = `
apiVersion: batch/v1
kind: Job
metadata:
  name: perindex
spec:
  completionMode: Indexed
  completions: 3
  parallelism: 3
  backoffLimitPerIndex: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: work
        image: busybox
        command: ["sh", "-c", "if [ \\"$JOB_COMPLETION_INDEX\\" = 1 ]; then exit 1; fi"]
`;

  it('retries index 1 once, gives it up and fails the job with FailedIndexes', async () => {
    assert.equal((await k.ok(['apply', '-f', '-'], { stdin: manifest })).trim(), 'job.batch/perindex created');
    const get = await k.eventually(['get', 'job', 'perindex'], (o) => rows(o)[1]?.[1] === 'Failed', 'perindex Failed', 90_000);
    assert.deepEqual(rows(get)[1]?.slice(0, 3), ['perindex', 'Failed', '2/3']);
    const field = async (path: string) => (await k.ok(['get', 'job', 'perindex', '-o', `jsonpath={${path}}`])).trim();
    assert.equal(await field('.status.failedIndexes'), '1');
    assert.equal(await field('.status.completedIndexes'), '0,2');
    assert.equal(await field('.status.succeeded'), '2');
    assert.equal(await field('.status.failed'), '2');
    assert.equal(await field('.spec.backoffLimit'), '2147483647');
    assert.equal(await field('.status.conditions[?(@.type=="Failed")].reason'), 'FailedIndexes');
    assert.equal(await field('.status.conditions[?(@.type=="Failed")].message'), 'Job has failed indexes');
    // Index 1 ran twice, the second pod carrying the first one's failure.
    const counts = await k.ok([
      'get', 'pod', '-l', 'batch.kubernetes.io/job-name=perindex,batch.kubernetes.io/job-completion-index=1',
      '-o', String.raw`jsonpath={range .items[*]}{.metadata.annotations.batch\.kubernetes\.io/job-index-failure-count}{" "}{.status.phase}{"\n"}{end}`,
    ]);
    assert.deepEqual(counts.trim().split('\n').sort(), ['0 Failed', '1 Failed']);
    assert.match(await k.ok(['describe', 'job', 'perindex']), /Warning\s+FailedIndexes\s+.*Job has failed indexes/);
    await k.ok(['delete', 'job', 'perindex']);
  });
});

describe('tutorial 7.6: CronJob', () => {
  it('cronjob.yaml creates a job every minute that prints the date and the greeting', async () => {
    assert.equal((await k.ok(['apply', '-f', join(SEED, 'cronjob.yaml')])).trim(), 'cronjob.batch/hello created');
    const cj = rows(await k.ok(['get', 'cronjob']));
    assert.deepEqual(cj[0], ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
    assert.deepEqual(cj[1]?.slice(0, 4), ['hello', '*/1 * * * *', '<none>', 'False']);
    // A minute of cluster time is 3 s of wall time at --time-scale 20.
    const jobs = await k.eventually(['get', 'job'], (o) => rows(o).slice(1).filter((r) => r[1] === 'Complete').length >= 2, 'two completed hello jobs', 60_000);
    const names = rows(jobs).slice(1).map((r) => r[0] ?? '');
    for (const n of names) assert.match(n, /^hello-\d{8}$/);
    const minutes = names.map((n) => Number(n.slice('hello-'.length))).sort((a, b) => a - b);
    assert.equal(minutes[1]! - minutes[0]!, 1);
    const logs = await k.ok(['logs', `job/${names[0]}`]);
    assert.match(logs, /Hello from the Kubernetes cluster/);
    assert.match(logs, /\d{2}:\d{2}:\d{2} UTC \d{4}/);
    const last = rows(await k.ok(['get', 'cronjob', 'hello']))[1];
    assert.notEqual(last?.[5], '<none>');
  });

  it('keeps only the three newest successful jobs', async () => {
    // Four more slots after the latest one make at least five runs; only the newest three may stay.
    const yaml = await k.eventually(['get', 'cronjob', 'hello', '-o', 'jsonpath={.status.lastScheduleTime}'], (o) => o.trim() !== '', 'lastScheduleTime');
    const first = Date.parse(yaml.trim());
    await k.eventually(['get', 'cronjob', 'hello', '-o', 'jsonpath={.status.lastScheduleTime}'], (o) => Date.parse(o.trim()) - first >= 4 * 60_000, 'four more slots', 60_000);
    const done = await k.eventually(['get', 'job'], (o) => rows(o).slice(1).filter((r) => r[1] === 'Complete').length === 3, 'three completed jobs kept', 30_000);
    assert.ok(rows(done).slice(1).length <= 4);
  });

  it('kubectl create job --from=cronjob/hello runs the template once', async () => {
    assert.equal((await k.ok(['create', 'job', 'manual', '--from=cronjob/hello'])).trim(), 'job.batch/manual created');
    await k.ok(['wait', '--for=condition=complete', 'job/manual', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.match(await k.ok(['logs', 'job/manual']), /Hello from the Kubernetes cluster/);
  });

  it('kubectl delete cronjob --all removes it and its jobs', async () => {
    await k.ok(['delete', 'cronjob', '--all']);
    await k.eventually(['get', 'job', '-o', 'name'], (o) => o.trim() === '', 'jobs gone', 60_000);
  });
});
