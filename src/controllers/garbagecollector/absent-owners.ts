// Remembers owners already proven absent. When an owner of thousands of dependents goes, each dependent would
// otherwise cost a GET of the same missing owner. Entries are keyed with the uid, which is never reused, so a
// remembered absence can never become wrong; the bound only limits memory.
import { type Identity, identityKey } from './identity.js';

export class AbsentOwnerCache {
  private readonly keys = new Map<string, true>();

  constructor(private readonly capacity = 500) {}

  add(id: Identity): void {
    const k = identityKey(id);
    this.keys.delete(k);
    this.keys.set(k, true);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
  }

  has(id: Identity): boolean {
    const k = identityKey(id);
    if (!this.keys.has(k)) return false;
    // Re-insert so recently useful entries survive eviction.
    this.keys.delete(k);
    this.keys.set(k, true);
    return true;
  }
}
