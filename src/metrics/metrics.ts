// The metrics kubeloop serves on /metrics. Names, labels and buckets follow the Kubernetes components they
// stand in for (kube-apiserver's request metrics, client-go's workqueue metrics, client-go's leader election
// gauge), so existing dashboards and PromQL keep working; reconcile metrics are kubeloop's own, shaped like
// controller-runtime's.
//
// One Metrics instance per control plane, passed to whoever records: two clusters in one process (tests)
// must not share counters, which a module-level registry would force.
import { Registry, type RegistryContentType } from 'prom-client';
import { CounterFamily, exponentialBuckets, GaugeFamily, HistogramFamily, type CounterCell, type GaugeCell, type HistogramCell } from './families.js';

/** kube-apiserver's request latency buckets (seconds). */
export const REQUEST_DURATION_BUCKETS: readonly number[] = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
/** client-go's workqueue buckets: 1 µs to 1000 s by factors of ten. */
export const WORKQUEUE_BUCKETS: readonly number[] = exponentialBuckets(1e-6, 10, 10);
/** In-process reconciles take from tens of microseconds to seconds; these resolve both ends. */
export const RECONCILE_DURATION_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** How a reconcile ended: returned normally, threw (retried with backoff), or asked to be looked at later. */
export type ReconcileOutcome = 'success' | 'error' | 'requeue_after';

/** Extra kube-apiserver request labels; all default to ''. */
export interface RequestDetail {
  group?: string;
  subresource?: string;
  /** 'resource' (one named object), 'namespace' (a collection in a namespace) or 'cluster'. */
  scope?: string;
}

export class Metrics {
  readonly registry: Registry<RegistryContentType>;

  private readonly requestTotal: CounterFamily;
  private readonly requestDuration: HistogramFamily;
  /** verb → resource → group → subresource → scope → cells; nested so a lookup allocates nothing. */
  private readonly requests = new Map<string, Map<string, Map<string, Map<string, Map<string, RequestCells>>>>>();

  private readonly wq: {
    depth: GaugeFamily;
    adds: CounterFamily;
    retries: CounterFamily;
    queue: HistogramFamily;
    work: HistogramFamily;
    unfinished: GaugeFamily;
    longest: GaugeFamily;
  };
  private readonly queues = new Map<string, WorkqueueMetrics>();

  private readonly reconcileTotal: CounterFamily;
  private readonly reconcileErrors: CounterFamily;
  private readonly reconcileDuration: HistogramFamily;
  private readonly reconciles = new Map<string, ReconcileCells>();

  private readonly leaderStatus: GaugeFamily;

  /** Pass a registry to share it with other collectors (e.g. prom-client's process metrics); by default a
   * fresh one, never prom-client's global. */
  constructor(opts: { registry?: Registry<RegistryContentType> } = {}) {
    const r = (this.registry = opts.registry ?? new Registry<RegistryContentType>());

    this.requestTotal = new CounterFamily(
      'apiserver_request_total',
      'API requests served, by verb, group, resource, subresource, scope, component and HTTP status code.',
      ['verb', 'group', 'resource', 'subresource', 'scope', 'component', 'code'],
    ).register(r);
    this.requestDuration = new HistogramFamily(
      'apiserver_request_duration_seconds',
      'Time to answer API requests in seconds, by verb, group, resource, subresource, scope and component.',
      ['verb', 'group', 'resource', 'subresource', 'scope', 'component'],
      REQUEST_DURATION_BUCKETS,
    ).register(r);

    const name = ['name'];
    this.wq = {
      depth: new GaugeFamily('workqueue_depth', 'Items waiting in the work queue.', name).register(r),
      adds: new CounterFamily('workqueue_adds_total', 'Adds handled by the work queue.', name).register(r),
      retries: new CounterFamily('workqueue_retries_total', 'Delayed re-adds handled by the work queue (retries after failures and requeue-after).', name).register(r),
      queue: new HistogramFamily('workqueue_queue_duration_seconds', 'Seconds an item waits in the work queue before a worker takes it.', name, WORKQUEUE_BUCKETS).register(r),
      work: new HistogramFamily('workqueue_work_duration_seconds', 'Seconds a worker spends on an item taken from the work queue.', name, WORKQUEUE_BUCKETS).register(r),
      unfinished: new GaugeFamily(
        'workqueue_unfinished_work_seconds',
        'Seconds of work in progress not yet counted in work_duration; a steady rise means a stuck worker.',
        name,
      ).register(r),
      longest: new GaugeFamily('workqueue_longest_running_processor_seconds', 'Seconds the longest-running worker of the queue has been busy.', name).register(r),
    };

    this.reconcileTotal = new CounterFamily('kubeloop_reconcile_total', 'Reconciles per controller, by outcome (success, error, requeue_after).', [
      'controller',
      'result',
    ]).register(r);
    this.reconcileErrors = new CounterFamily('kubeloop_reconcile_errors_total', 'Reconciles per controller that failed and were queued for retry.', ['controller']).register(r);
    this.reconcileDuration = new HistogramFamily(
      'kubeloop_reconcile_duration_seconds',
      'Seconds per reconcile, per controller.',
      ['controller'],
      RECONCILE_DURATION_BUCKETS,
    ).register(r);

    this.leaderStatus = new GaugeFamily('leader_election_master_status', '1 while this process holds the named leader lease, else 0.', ['name']).register(r);
  }

  /** One API request. `verb` as kube-apiserver reports it: GET, LIST, WATCH, CREATE... in upper case
   * (POST, PUT, PATCH, DELETE, DELETECOLLECTION, APPLY, CONNECT); `resource` is the plural ('' for non-resource
   * paths). Called on every request: after the first request of a kind it only walks a few Maps. */
  observeRequest(verb: string, resource: string, code: number, seconds: number, detail?: RequestDetail): void {
    const group = detail?.group ?? '';
    const subresource = detail?.subresource ?? '';
    const scope = detail?.scope ?? '';
    let byResource = this.requests.get(verb);
    if (!byResource) this.requests.set(verb, (byResource = new Map()));
    let byGroup = byResource.get(resource);
    if (!byGroup) byResource.set(resource, (byGroup = new Map()));
    let bySub = byGroup.get(group);
    if (!bySub) byGroup.set(group, (bySub = new Map()));
    let byScope = bySub.get(subresource);
    if (!byScope) bySub.set(subresource, (byScope = new Map()));
    let cells = byScope.get(scope);
    if (!cells) {
      cells = { duration: this.requestDuration.cell(verb, group, resource, subresource, scope, 'apiserver'), codes: new Map(), labels: [verb, group, resource, subresource, scope] };
      byScope.set(scope, cells);
    }
    let total = cells.codes.get(code);
    if (!total) {
      const [v, g, res, sub, sc] = cells.labels;
      total = this.requestTotal.cell(v, g, res, sub, sc, 'apiserver', String(code));
      cells.codes.set(code, total);
    }
    total.inc();
    cells.duration.observe(seconds);
  }

  /** The recorders of one work queue (label `name`), created on first use and cached: take it once per queue. */
  workqueue(name: string): WorkqueueMetrics {
    let q = this.queues.get(name);
    if (!q) {
      const w = this.wq;
      q = new WorkqueueMetrics(w.depth.cell(name), w.adds.cell(name), w.retries.cell(name), w.queue.cell(name), w.work.cell(name), w.unfinished.cell(name), w.longest.cell(name));
      this.queues.set(name, q);
    }
    return q;
  }

  /** One finished reconcile. An 'error' also counts in kubeloop_reconcile_errors_total. */
  observeReconcile(controller: string, result: ReconcileOutcome, seconds: number): void {
    let c = this.reconciles.get(controller);
    if (!c) {
      c = {
        success: this.reconcileTotal.cell(controller, 'success'),
        error: this.reconcileTotal.cell(controller, 'error'),
        requeue_after: this.reconcileTotal.cell(controller, 'requeue_after'),
        errors: this.reconcileErrors.cell(controller),
        duration: this.reconcileDuration.cell(controller),
      };
      this.reconciles.set(controller, c);
    }
    c[result].inc();
    if (result === 'error') c.errors.inc();
    c.duration.observe(seconds);
  }

  /** Wire to a LeaderElector's callbacks: `name` is the lease name. */
  setLeader(name: string, leading: boolean): void {
    this.leaderStatus.cell(name).set(leading ? 1 : 0);
  }

  /** The body and Content-Type of a /metrics answer (Prometheus text format 0.0.4 unless the registry was
   * switched to OpenMetrics). */
  async metricsText(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

interface RequestCells {
  duration: HistogramCell;
  codes: Map<number, CounterCell>;
  labels: [string, string, string, string, string];
}

interface ReconcileCells {
  success: CounterCell;
  error: CounterCell;
  requeue_after: CounterCell;
  errors: CounterCell;
  duration: HistogramCell;
}

/** One queue's recorders, mirroring the hooks client-go's workqueue calls. Durations are in seconds of the
 * queue's clock, measured by the caller. */
export class WorkqueueMetrics {
  constructor(
    private readonly depthCell: GaugeCell,
    private readonly addsCell: CounterCell,
    private readonly retriesCell: CounterCell,
    private readonly queueHist: HistogramCell,
    private readonly workHist: HistogramCell,
    private readonly unfinishedCell: GaugeCell,
    private readonly longestCell: GaugeCell,
  ) {}
  /** A key that was not already waiting was added. As in client-go, an add folded into a waiting duplicate is
   * not counted; a key re-added while it is being processed is. */
  add(): void {
    this.addsCell.inc();
  }
  /** Keys added and not yet taken by a worker (client-go counts re-adds of a key in progress here too). */
  depth(n: number): void {
    this.depthCell.set(n);
  }
  /** A delayed add: client-go counts every addAfter here, so rate-limited retries and requeue-after both. */
  retry(): void {
    this.retriesCell.inc();
  }
  /** How long the item just taken waited since it was added. */
  queueDuration(seconds: number): void {
    this.queueHist.observe(seconds);
  }
  /** How long the item just marked done was being processed. */
  workDuration(seconds: number): void {
    this.workHist.observe(seconds);
  }
  /** Sum of the running time of all items being processed now (client-go refreshes it every 500 ms). */
  unfinishedWork(seconds: number): void {
    this.unfinishedCell.set(seconds);
  }
  /** Running time of the oldest item being processed now. */
  longestRunningProcessor(seconds: number): void {
    this.longestCell.set(seconds);
  }
}
