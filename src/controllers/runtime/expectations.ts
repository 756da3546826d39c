// Expectations: what a controller is still waiting to see in its informer after its own writes. Between
// issuing N creates and seeing them arrive in the cache, a reconcile would count too few children and create
// them again; while expectations for a key are pending (and younger than the timeout) the controller must not
// create or delete for that key. Observed events and failed API calls lower them.
import type { Clock } from '../../clock/clock.js';

/** After this long, pending expectations stop blocking: a lost watch event must not stall a controller. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

export interface Expectation {
  add: number;
  del: number;
  /** Cluster time (ms) the expectation was last set. */
  setAt: number;
}

export class ControllerExpectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  get(key: string): Readonly<Expectation> | undefined {
    return this.byKey.get(key);
  }

  /** True when the controller may act: nothing recorded, everything observed, or the record is too old. */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.setAt > EXPECTATIONS_TIMEOUT_MS;
  }

  /** Replaces whatever was recorded for the key. */
  set(key: string, add: number, del: number): void {
    this.byKey.set(key, { add, del, setAt: this.clock.now() });
  }

  expectCreations(key: string, adds: number): void {
    this.set(key, adds, 0);
  }

  expectDeletions(key: string, dels: number): void {
    this.set(key, 0, dels);
  }

  raise(key: string, add: number, del: number): void {
    const e = this.byKey.get(key);
    if (!e) return;
    e.add += add;
    e.del += del;
  }

  lower(key: string, add: number, del: number): void {
    this.raise(key, -add, -del);
  }

  creationObserved(key: string): void {
    this.lower(key, 1, 0);
  }

  deletionObserved(key: string): void {
    this.lower(key, 0, 1);
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }
}

/**
 * Expectations that remember which children a key is deleting. A graceful delete shows up first as an update
 * setting deletionTimestamp and later as the real delete; both count as "deletion observed", so the names are
 * needed to count each child once.
 */
export class UIDTrackingExpectations {
  readonly counts: ControllerExpectations;
  private readonly deleting = new Map<string, Set<string>>();

  constructor(clock: Clock) {
    this.counts = new ControllerExpectations(clock);
  }

  satisfied(key: string): boolean {
    return this.counts.satisfied(key);
  }

  get(key: string): Readonly<Expectation> | undefined {
    return this.counts.get(key);
  }

  expectCreations(key: string, adds: number): void {
    this.counts.expectCreations(key, adds);
  }

  creationObserved(key: string): void {
    this.counts.creationObserved(key);
  }

  /** `childKeys` are the children's `namespace/name`; replaces any earlier set for the key. */
  expectDeletions(key: string, childKeys: readonly string[]): void {
    const set = new Set(childKeys);
    this.deleting.set(key, set);
    this.counts.expectDeletions(key, set.size);
  }

  /** Lowers the count only the first time a child we are deleting is seen going away. */
  deletionObserved(key: string, childKey: string): void {
    const set = this.deleting.get(key);
    if (!set?.delete(childKey)) return;
    this.counts.deletionObserved(key);
  }

  /** Children still expected to disappear for the key. */
  pendingDeletions(key: string): ReadonlySet<string> {
    return this.deleting.get(key) ?? new Set();
  }

  delete(key: string): void {
    this.counts.delete(key);
    this.deleting.delete(key);
  }
}
