import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Registry, type RegistryContentType } from 'prom-client';
import { exponentialBuckets, HistogramFamily } from './families.js';
import { Metrics, WORKQUEUE_BUCKETS } from './metrics.js';

function line(body: string, prefix: string): string | undefined {
  return body.split('\n').find((l) => l.startsWith(prefix));
}

test('request metrics: counts by code, latency histogram with kube-apiserver buckets', async () => {
  const m = new Metrics();
  m.observeRequest('GET', 'pods', 200, 0.003, { scope: 'resource' });
  m.observeRequest('GET', 'pods', 200, 0.03, { scope: 'resource' });
  m.observeRequest('GET', 'pods', 404, 0.001, { scope: 'resource' });
  m.observeRequest('PATCH', 'deployments', 200, 0.5, { group: 'apps', subresource: 'scale', scope: 'resource' });
  m.observeRequest('LIST', '', 200, 70);

  const { contentType, body } = await m.metricsText();
  assert.equal(contentType, 'text/plain; version=0.0.4; charset=utf-8');
  assert.match(body, /^# HELP apiserver_request_total /m);
  assert.match(body, /^# TYPE apiserver_request_total counter$/m);
  assert.match(body, /^# TYPE apiserver_request_duration_seconds histogram$/m);
  assert.equal(
    line(body, 'apiserver_request_total{verb="GET",group="",resource="pods",subresource="",scope="resource",component="apiserver",code="200"}'),
    'apiserver_request_total{verb="GET",group="",resource="pods",subresource="",scope="resource",component="apiserver",code="200"} 2',
  );
  assert.ok(line(body, 'apiserver_request_total{verb="GET",group="",resource="pods",subresource="",scope="resource",component="apiserver",code="404"} 1'));
  assert.ok(line(body, 'apiserver_request_total{verb="PATCH",group="apps",resource="deployments",subresource="scale",scope="resource",component="apiserver",code="200"} 1'));

  const pods = 'verb="GET",group="",resource="pods",subresource="",scope="resource",component="apiserver"';
  assert.ok(line(body, `apiserver_request_duration_seconds_bucket{le="0.005",${pods}} 2`), 'cumulative: 0.001 and 0.003');
  assert.ok(line(body, `apiserver_request_duration_seconds_bucket{le="0.05",${pods}} 3`));
  assert.ok(line(body, `apiserver_request_duration_seconds_bucket{le="60",${pods}} 3`));
  assert.ok(line(body, `apiserver_request_duration_seconds_bucket{le="+Inf",${pods}} 3`));
  assert.ok(line(body, `apiserver_request_duration_seconds_count{${pods}} 3`));
  assert.equal(line(body, `apiserver_request_duration_seconds_sum{${pods}}`), `apiserver_request_duration_seconds_sum{${pods}} 0.034`);
  // Beyond the last bucket only +Inf, _sum and _count move.
  const list = 'verb="LIST",group="",resource="",subresource="",scope="",component="apiserver"';
  assert.ok(line(body, `apiserver_request_duration_seconds_bucket{le="60",${list}} 0`));
  assert.ok(line(body, `apiserver_request_duration_seconds_bucket{le="+Inf",${list}} 1`));
});

test('workqueue metrics carry client-go names and the queue name label', async () => {
  const m = new Metrics();
  const q = m.workqueue('replicaset');
  assert.equal(m.workqueue('replicaset'), q, 'one recorder per queue');
  q.add();
  q.add();
  q.depth(2);
  q.queueDuration(0.00042);
  q.depth(1);
  q.workDuration(0.0123);
  q.retry();
  q.unfinishedWork(1.5);
  q.longestRunningProcessor(0.75);
  m.workqueue('deployment').add();

  const { body } = await m.metricsText();
  assert.ok(line(body, 'workqueue_adds_total{name="replicaset"} 2'));
  assert.ok(line(body, 'workqueue_adds_total{name="deployment"} 1'));
  assert.ok(line(body, 'workqueue_depth{name="replicaset"} 1'));
  assert.ok(line(body, 'workqueue_retries_total{name="replicaset"} 1'));
  assert.ok(line(body, 'workqueue_unfinished_work_seconds{name="replicaset"} 1.5'));
  assert.ok(line(body, 'workqueue_longest_running_processor_seconds{name="replicaset"} 0.75'));
  assert.ok(line(body, 'workqueue_queue_duration_seconds_bucket{le="0.0001",name="replicaset"} 0'));
  assert.ok(line(body, 'workqueue_queue_duration_seconds_bucket{le="0.001",name="replicaset"} 1'));
  assert.ok(line(body, 'workqueue_work_duration_seconds_bucket{le="0.1",name="replicaset"} 1'));
  assert.ok(line(body, 'workqueue_work_duration_seconds_count{name="replicaset"} 1'));
  assert.match(body, /^# TYPE workqueue_queue_duration_seconds histogram$/m);
  assert.deepEqual(WORKQUEUE_BUCKETS, [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100, 1000]);
});

test('reconcile metrics: totals by result, errors, duration; leader status', async () => {
  const m = new Metrics();
  m.observeReconcile('replicaset-controller', 'success', 0.0004);
  m.observeReconcile('replicaset-controller', 'success', 0.002);
  m.observeReconcile('replicaset-controller', 'error', 0.01);
  m.observeReconcile('replicaset-controller', 'requeue_after', 0.001);
  m.setLeader('kube-controller-manager', true);

  const { body } = await m.metricsText();
  assert.ok(line(body, 'kubeloop_reconcile_total{controller="replicaset-controller",result="success"} 2'));
  assert.ok(line(body, 'kubeloop_reconcile_total{controller="replicaset-controller",result="error"} 1'));
  assert.ok(line(body, 'kubeloop_reconcile_total{controller="replicaset-controller",result="requeue_after"} 1'));
  assert.ok(line(body, 'kubeloop_reconcile_errors_total{controller="replicaset-controller"} 1'));
  assert.ok(line(body, 'kubeloop_reconcile_duration_seconds_bucket{le="0.0005",controller="replicaset-controller"} 1'));
  assert.ok(line(body, 'kubeloop_reconcile_duration_seconds_count{controller="replicaset-controller"} 4'));
  assert.match(body, /^# TYPE kubeloop_reconcile_duration_seconds histogram$/m);
  assert.ok(line(body, 'leader_election_master_status{name="kube-controller-manager"} 1'));
  m.setLeader('kube-controller-manager', false);
  assert.ok(line((await m.metricsText()).body, 'leader_election_master_status{name="kube-controller-manager"} 0'));
});

test('instances are independent; reset keeps handed-out recorders working; label values are escaped', async () => {
  const a = new Metrics();
  const b = new Metrics();
  a.observeReconcile('x', 'success', 0.001);
  assert.doesNotMatch((await b.metricsText()).body, /controller="x"/);

  const q = a.workqueue('q');
  q.add();
  a.registry.resetMetrics();
  q.add();
  a.observeRequest('GET', 'weird"name\\', 200, 0.001);
  const body = (await a.metricsText()).body;
  assert.ok(line(body, 'workqueue_adds_total{name="q"} 1'));
  assert.ok(line(body, 'kubeloop_reconcile_total{controller="x",result="success"} 0'));
  assert.match(body, /resource="weird\\"name\\\\"/);
});

test('shares a registry with ordinary prom-client metrics, and speaks OpenMetrics when asked', async () => {
  const registry = new Registry<RegistryContentType>();
  const extra = new Counter({ name: 'kubeloop_extra_total', help: 'something else', registers: [registry] });
  extra.inc();
  const m = new Metrics({ registry });
  m.observeReconcile('c', 'success', 0.001);
  let body = (await m.metricsText()).body;
  assert.ok(line(body, 'kubeloop_extra_total 1'));
  assert.ok(line(body, 'kubeloop_reconcile_total{controller="c",result="success"} 1'));

  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const text = await m.metricsText();
  body = text.body;
  assert.equal(text.contentType, Registry.OPENMETRICS_CONTENT_TYPE);
  assert.match(body, /^# TYPE kubeloop_reconcile counter$/m);
  assert.ok(line(body, 'kubeloop_reconcile_total{controller="c",result="success"} 1'));
  assert.ok(body.endsWith('# EOF\n'));
  const json = await registry.getMetricsAsJSON();
  assert.ok(json.some((f) => f.name === 'kubeloop_reconcile_duration_seconds' && String(f.type) === 'histogram'));
});

test('families validate their inputs', () => {
  const h = new HistogramFamily('h_seconds', 'h', ['a'], [1, 0.5, 2]);
  assert.deepEqual(h.buckets, [0.5, 1, 2]);
  assert.throws(() => h.cell(), /expected 1 label values/);
  assert.equal(h.cell('x'), h.cell('x'));
  assert.throws(() => new HistogramFamily('d', 'd', [], [1, 1]), /distinct/);
  assert.deepEqual(exponentialBuckets(0.001, 2, 4), [0.001, 0.002, 0.004, 0.008]);
});
