// kube's allocation repair controllers (ipallocator/controller/repairip.go and portallocator/controller/repair.go)
// over the allocation records: every stored Service's addresses must have a record, and a record must belong to
// a Service that holds its value. The first pass runs at API server start, which is also how a data dir written
// before allocation records existed gets them; later passes run on a timer.
import type { Clock, Timer } from '../../clock/clock.js';
import { StoreConflictError } from '../../store/store.js';
import { type AllocationRecords, refOf, SERVICES_PREFIX, serviceKey } from './service-alloc-records.js';

/** kube-apiserver repairs every 3 minutes. */
export const REPAIR_INTERVAL_MS = 3 * 60_000;
/** A record younger than this may belong to a Service whose own write is still in flight (kube: 60 s). */
export const LEAK_GRACE_MS = 60_000;

export interface RepairResult {
  created: number;
  removed: number;
}

export class AllocationRepair {
  private timer: Timer | undefined;
  private stopped = false;

  constructor(
    private readonly records: AllocationRecords,
    private readonly clock: Clock,
    private readonly intervalMs = REPAIR_INTERVAL_MS,
    private readonly graceMs = LEAK_GRACE_MS,
  ) {}

  /** Runs a pass now and then every interval; resolves when the first pass is over. */
  start(): Promise<RepairResult> {
    const first = this.runOnce();
    void first.catch(() => undefined).then(() => this.arm());
    return first;
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = this.clock.after(this.intervalMs, () => {
      // A store that is closing or unreachable fails a pass; the next one tries again.
      void this.runOnce()
        .catch(() => undefined)
        .then(() => this.arm());
    });
  }

  /** One reconciliation. Decisions come from one synchronous read of the cache; the writes follow. */
  async runOnce(): Promise<RepairResult> {
    const r = this.records;
    const missing: Array<Promise<unknown>> = [];
    for (const { object: svc } of r.store.list(SERVICES_PREFIX).entries) {
      for (const h of r.held(svc)) {
        // Another server may be repairing the same Service: a record it wrote first is just as good.
        if (!r.store.get(r.key(h.range, h.value))) missing.push(r.claim(h.range, h.value, refOf(svc)).catch(ignoreExists));
      }
    }
    const leaked = [];
    const now = this.clock.now();
    for (const range of [r.ips, r.ports]) {
      for (const { entry, value, owner } of r.records(range)) {
        if (now - r.createdAt(entry) <= this.graceMs) continue;
        // The record's own Service, not merely some Service, must hold the value.
        const svc = owner && r.store.get(serviceKey(owner));
        if (svc && r.held(svc.object).some((h) => h.range === range && h.value === value)) continue;
        leaked.push(entry);
      }
    }
    await Promise.all([...missing, ...leaked.map((e) => r.drop(e))]);
    return { created: missing.length, removed: leaked.length };
  }
}

function ignoreExists(err: unknown): void {
  if (!(err instanceof StoreConflictError)) throw err;
}
