// The target of the fuzz run: an API server (no controllers, no nodes) on a durable SQLite store in a temp
// dir, served over plain HTTP on an ephemeral port, plus a raw HTTP client that reports whatever came back.
// The data dir is laid out as `kubeloop up --data-dir <dir>/data` expects, so the final check can start a
// real kubeloop on what the fuzzer left behind.
import http from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allKinds } from '../../src/api/kinds/index.js';
import { Registry } from '../../src/api/registry.js';
import { ApiServer } from '../../src/apiserver/server.js';
import { FakeClock } from '../../src/clock/clock.js';
import { SqliteStore } from '../../src/store/sqlite.js';

export interface FuzzTarget {
  dir: string;
  dataDir: string;
  port: number;
  clock: FakeClock;
  server: ApiServer;
  store: SqliteStore;
  stop(): Promise<void>;
}

export async function startTarget(): Promise<FuzzTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'kubeloop-fuzz-'));
  const dataDir = join(dir, 'data');
  const store = SqliteStore.open(dataDir);
  const clock = new FakeClock();
  const server = new ApiServer({ store, registry: new Registry([...allKinds]), clock });
  const { port } = await server.listen(0, '127.0.0.1');
  let stopped = false;
  return {
    dir,
    dataDir,
    port,
    clock,
    server,
    store,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await store.close();
    },
  };
}

export interface FuzzRequest {
  method: string;
  /** Path and query, sent as is (it may be malformed on purpose). */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Streaming requests (watches, follow): the response is cut after its headers and a first look. */
  streaming?: boolean;
}

export interface FuzzResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** True when the client cut a streaming response short. */
  cut: boolean;
}

/** Sends one request; rejects only on a hang or when the connection died before any response. */
export function send(port: number, r: FuzzRequest, hangMs = 15_000): Promise<FuzzResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(hang);
      fn();
    };
    const headers = { ...(r.headers ?? {}) };
    // node's client frames a DELETE body neither by length nor by chunks unless told: say its length.
    if (r.body !== undefined && !('transfer-encoding' in headers)) headers['content-length'] = String(Buffer.byteLength(r.body));
    const req = http.request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent: false });
    const hang = setTimeout(() => {
      req.destroy();
      done(() => reject(new Error(`no complete response within ${hangMs} ms`)));
    }, hangMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const finish = (cut: boolean) => done(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), cut }));
      res.on('end', () => finish(false));
      res.on('error', () => finish(true));
      res.on('aborted', () => finish(true));
      if (r.streaming) {
        // A watch that was accepted stays open: look at what arrived promptly and hang up.
        setTimeout(() => {
          finish(true);
          req.destroy();
        }, 60);
      }
    });
    // The server may answer (413) and close while a large body is still being written: the response counts.
    req.on('error', (err) => {
      setTimeout(() => done(() => reject(new Error(`connection failed before a response: ${err.message}`))), 200);
    });
    if (r.body !== undefined) req.end(r.body);
    else req.end();
  });
}
