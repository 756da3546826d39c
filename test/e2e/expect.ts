// Assertions shared by the end-to-end tests: run kubectl and expect success or failure, read its tables,
// and poll until the cluster gets where a test needs it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Cluster, KubectlOptions } from './harness.js';

/** The tutorial's manifests (shared/ sits beside the repository). */
export const SEED = join(import.meta.dirname, '..', '..', '..', 'shared', 'seed', 'manifests');

/** Table rows split into cells on runs of 2+ spaces (kubectl's column padding). */
export function rows(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.trim().split(/\s{2,}/));
}

export interface Kube {
  /** Runs kubectl, asserts exit code 0, returns stdout. */
  ok(args: string[], opts?: KubectlOptions): Promise<string>;
  /** Runs kubectl, asserts a non-zero exit code, returns stderr trimmed. */
  fails(args: string[], opts?: KubectlOptions): Promise<string>;
  /** Polls `kubectl args` until `pred` holds for its stdout; returns that output. */
  eventually(args: string[], pred: (out: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
}

export function kube(c: () => Cluster): Kube {
  const serverLog = () => `\n--- server log ---\n${c().logs().slice(-3000)}`;
  return {
    async ok(args, opts) {
      const r = await c().kubectl(args, opts);
      assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${serverLog()}`);
      return r.stdout;
    },
    async fails(args, opts) {
      const r = await c().kubectl(args, opts);
      assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should have failed: ${r.stdout}`);
      return r.stderr.trim();
    },
    async eventually(args, pred, what, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < end) {
        const r = await c().kubectl(args);
        last = `${r.stdout}${r.stderr}`;
        if (r.code === 0 && pred(r.stdout)) return r.stdout;
        await new Promise((res) => setTimeout(res, 250));
      }
      throw new Error(`timed out waiting for ${what}; last output of kubectl ${args.join(' ')}:\n${last}${serverLog()}`);
    },
  };
}

/** A small seeded generator of numbers in [0, 1), so a failing randomized run can be repeated. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
