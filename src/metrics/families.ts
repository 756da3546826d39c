// Metric families whose hot path is a field increment on a cell the caller keeps.
//
// prom-client's own metrics hash the label values and validate them on every inc/observe (a few hundred ns and
// some garbage each); the API server records every request, so here a label set is resolved once to a cell
// and recording touches nothing else. The families satisfy the contract prom-client's Registry reads
// (name, help, type, aggregator, get(), reset()), so exposition, OpenMetrics and Registry.merge stay prom-client's.
import type { Metric, Registry, RegistryContentType } from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

interface ExportedValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
  sharedLabels?: Labels;
}

abstract class Family<C extends { readonly labels: Labels }> {
  readonly aggregator = 'sum';
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  private readonly cells = new Map<string, C>();

  constructor(
    // Not readonly: prom-client renames counters in place when serving OpenMetrics.
    public name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  /** The cell for these label values (in labelNames order), created on first use. Resolve once and keep it:
   * this lookup builds a key string. */
  cell(...values: string[]): C {
    if (values.length !== this.labelNames.length) {
      throw new Error(`${this.name}: expected ${this.labelNames.length} label values, got ${values.length}`);
    }
    const key = values.join('\u0000');
    let c = this.cells.get(key);
    if (!c) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i] as string));
      c = this.create(Object.freeze(labels));
      this.cells.set(key, c);
    }
    return c;
  }

  /** Zeroes every cell in place, so cells already handed out keep recording into the registry. */
  reset(): void {
    for (const c of this.cells.values()) this.zero(c);
  }

  register(registry: Registry<RegistryContentType>): this {
    // The Registry types only admit prom-client's own classes; the runtime contract is what these implement.
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ExportedValue[] }> {
    const values: ExportedValue[] = [];
    for (const c of this.cells.values()) this.export(c, values);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  protected abstract create(labels: Labels): C;
  protected abstract zero(c: C): void;
  protected abstract export(c: C, out: ExportedValue[]): void;
}

export class CounterCell {
  value = 0;
  constructor(readonly labels: Labels) {}
  inc(n = 1): void {
    this.value += n;
  }
}

export class CounterFamily extends Family<CounterCell> {
  readonly type = 'counter';
  protected create(labels: Labels): CounterCell {
    return new CounterCell(labels);
  }
  protected zero(c: CounterCell): void {
    c.value = 0;
  }
  protected export(c: CounterCell, out: ExportedValue[]): void {
    out.push({ value: c.value, labels: c.labels });
  }
}

export class GaugeCell {
  value = 0;
  constructor(readonly labels: Labels) {}
  set(v: number): void {
    this.value = v;
  }
  inc(n = 1): void {
    this.value += n;
  }
  dec(n = 1): void {
    this.value -= n;
  }
}

export class GaugeFamily extends Family<GaugeCell> {
  readonly type = 'gauge';
  protected create(labels: Labels): GaugeCell {
    return new GaugeCell(labels);
  }
  protected zero(c: GaugeCell): void {
    c.value = 0;
  }
  protected export(c: GaugeCell, out: ExportedValue[]): void {
    out.push({ value: c.value, labels: c.labels });
  }
}

export class HistogramCell {
  /** Per-bucket (not cumulative) counts; the last slot is the +Inf overflow. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(v: number): void {
    // Bucket lists are short (≤ 25): a linear scan beats a binary search's branches.
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > (b[i] as number)) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

export class HistogramFamily extends Family<HistogramCell> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    const sorted = [...buckets].sort((a, b) => a - b);
    if (sorted.some((b, i) => !Number.isFinite(b) || sorted[i - 1] === b)) throw new Error(`${name}: buckets must be finite and distinct`);
    this.buckets = Object.freeze(sorted);
  }
  protected create(labels: Labels): HistogramCell {
    return new HistogramCell(labels, this.buckets);
  }
  protected zero(c: HistogramCell): void {
    c.counts.fill(0);
    c.sum = 0;
    c.count = 0;
  }
  protected export(c: HistogramCell, out: ExportedValue[]): void {
    const bucketName = `${this.name}_bucket`;
    let acc = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      acc += c.counts[i] as number;
      out.push({ value: acc, labels: { le: this.buckets[i] as number }, metricName: bucketName, sharedLabels: c.labels });
    }
    out.push({ value: c.count, labels: { le: '+Inf' }, metricName: bucketName, sharedLabels: c.labels });
    out.push({ value: c.sum, labels: c.labels, metricName: `${this.name}_sum` });
    out.push({ value: c.count, labels: c.labels, metricName: `${this.name}_count` });
  }
}

/** `count` buckets starting at `start`, each `factor` times the previous (Prometheus' ExponentialBuckets). */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  const out: number[] = [];
  let v = start;
  for (let i = 0; i < count; i++) {
    // Rounded so the exposition says 0.001, not 0.0010000000000000002.
    out.push(Number(v.toPrecision(12)));
    v *= factor;
  }
  return out;
}
