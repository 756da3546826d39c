// Remembers the slices this controller just wrote, so that a sync whose cache has not caught up yet waits
// instead of acting on old slices (which would create duplicates or undo its own changes).
import type { KubeObject } from '../../api/types.js';

const GONE = -1;

export class SliceWrites {
  private readonly byService = new Map<string, Map<string, number>>();

  wrote(serviceKey: string, slice: KubeObject): void {
    this.entries(serviceKey).set(slice.metadata.name ?? '', slice.metadata.generation ?? 0);
  }

  deleted(serviceKey: string, slice: KubeObject): void {
    this.entries(serviceKey).set(slice.metadata.name ?? '', GONE);
  }

  /** True while the cache lacks one of our writes; entries the cache has caught up with are dropped. */
  stale(serviceKey: string, cached: (name: string) => KubeObject | undefined): boolean {
    const m = this.byService.get(serviceKey);
    if (!m) return false;
    for (const [name, generation] of m) {
      const seen = cached(name);
      const caughtUp = generation === GONE ? !seen : !!seen && (seen.metadata.generation ?? 0) >= generation;
      if (!caughtUp) return true;
      m.delete(name);
    }
    if (m.size === 0) this.byService.delete(serviceKey);
    return false;
  }

  forget(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }

  private entries(serviceKey: string): Map<string, number> {
    let m = this.byService.get(serviceKey);
    if (!m) this.byService.set(serviceKey, (m = new Map()));
    return m;
  }
}
