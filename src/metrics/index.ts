export { Metrics, WorkqueueMetrics, REQUEST_DURATION_BUCKETS, WORKQUEUE_BUCKETS, RECONCILE_DURATION_BUCKETS, type ReconcileOutcome, type RequestDetail } from './metrics.js';
export { CounterFamily, GaugeFamily, HistogramFamily, CounterCell, GaugeCell, HistogramCell, exponentialBuckets, type Labels } from './families.js';
