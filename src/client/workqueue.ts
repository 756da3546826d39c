// INTERFACE ONLY — the implementation is being written (client-go's workqueue semantics). Do not rely on
// anything but these signatures.
import type { Clock } from '../clock/clock.js';

/** How long to wait before retrying an item that failed. */
export interface RateLimiter {
  when(item: string): number;
  forget(item: string): void;
  retries(item: string): number;
}

export interface QueueItem {
  key: string;
  /** Why the key was queued since it was last taken (de-duplicated, oldest first). Reasons never split
   * de-duplication: many adds of one key are one item. */
  reasons: string[];
}

export declare class WorkQueue {
  constructor(clock: Clock, limiter: RateLimiter, name?: string);
  /** Queues the key unless it is already waiting; a key being processed is re-queued when `done` is called. */
  add(key: string, reason?: string): void;
  addAfter(key: string, delayMs: number, reason?: string): void;
  /** Re-queues after the rate limiter's delay for this key (failed reconcile). */
  addRateLimited(key: string, reason?: string): void;
  /** Resets the key's failure history (successful reconcile). */
  forget(key: string): void;
  numRequeues(key: string): number;
  /** Next key to process; resolves with undefined once the queue is shut down and drained. */
  get(): Promise<QueueItem | undefined>;
  done(key: string): void;
  len(): number;
  shutDown(): void;
}

/** client-go's DefaultControllerRateLimiter: the max of a per-item exponential backoff (5 ms doubling to
 * 1000 s) and an overall token bucket (10 per second, burst 100). */
export declare function defaultControllerRateLimiter(clock: Clock): RateLimiter;
