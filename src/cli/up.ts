// `kubeloop up`: open the store (SQLite in the data dir, or memory with --in-memory), then start the API
// server, the controllers and the simulated nodes.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAuthenticator } from '../apiserver/authn.js';
import type { TlsConfig } from '../apiserver/server.js';
import { Cluster } from '../cluster/cluster.js';
import { type Clock, RealClock, ScaledClock } from '../clock/clock.js';
import { MemoryStore } from '../store/memory.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { kubeconfigFor, insecureKubeconfigFor, kubeconfigPathForMerge, mergeIntoKubeconfig, writeStandaloneKubeconfig } from './kubeconfig.js';
import { loadCatalogFile } from '../kubelet/images/catalog.js';
import { ensurePki } from './pki.js';

export interface UpOptions {
  port: number;
  address: string;
  dataDir?: string;
  inMemory?: boolean;
  kubeconfig?: string;
  nodes: number;
  timing: 'realistic' | 'instant';
  seed: number;
  strictImages?: boolean;
  images?: string;
  timeScale?: number;
  insecureHttp?: boolean;
  watchHistory: number;
}

/** This data dir's controller-manager identity, created on first use. */
function leaderIdentity(dataDir: string): string {
  const file = path.join(dataDir, 'identity');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (id) return id;
  } catch {
    // First start: fall through and create it.
  }
  const id = `${os.hostname()}_${randomUUID()}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${id}\n`);
  return id;
}

function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\./.test(address);
}

export async function runUp(opts: UpOptions): Promise<void> {
  if (opts.insecureHttp && !isLoopback(opts.address)) {
    process.stderr.write(`kubeloop: --insecure-http is only allowed on a loopback address, not ${opts.address}\n`);
    process.exit(2);
  }
  const started = performance.now();
  if (opts.images) {
    try {
      loadCatalogFile(path.resolve(opts.images));
    } catch (err) {
      process.stderr.write(`kubeloop: --images: ${(err as Error).message}\n`);
      process.exit(2);
    }
  }
  const dataDir = opts.dataDir ?? path.join(os.homedir(), '.kubeloop');
  const clock: Clock = opts.timeScale && opts.timeScale !== 1 ? new ScaledClock(opts.timeScale) : new RealClock();
  let store: Store;
  if (opts.inMemory) {
    store = new MemoryStore({ historyEvents: opts.watchHistory });
  } else {
    // The durable default: objects in DATA_DIR/store.db. A failed commit stops the process, as etcd does:
    // the writes in it were never acknowledged, and going on would serve state the disk does not have.
    try {
      const sqlite = SqliteStore.open(dataDir, {
        historyEvents: opts.watchHistory,
        onError: (err) => {
          process.stderr.write(`kubeloop: cannot write the store: ${err.message}\n`);
          process.exit(1);
        },
      });
      if (process.env.KUBELOOP_DEBUG) {
        const { loadedObjects, loadedEvents, loadMs } = sqlite.stats;
        process.stderr.write(`store: ${loadedObjects} objects and ${loadedEvents} history events loaded from ${sqlite.file} in ${Math.round(loadMs)} ms\n`);
      }
      store = sqlite;
    } catch (err) {
      process.stderr.write(`kubeloop: cannot open the store in ${dataDir}: ${(err as Error).message}\n`);
      process.exit(1);
    }
  }

  let tls: TlsConfig | undefined;
  let kubeconfig;
  if (!opts.insecureHttp) {
    const pki = await ensurePki(opts.inMemory ? undefined : path.join(dataDir, 'pki'), { hosts: [opts.address] });
    tls = { caCert: pki.caCert, serverCert: pki.serverCert, serverKey: pki.serverKey, authenticate: createAuthenticator(pki) };
    kubeconfig = (url: string) => kubeconfigFor({ server: url, pki });
  }
  const verbose = !!process.env.KUBELOOP_DEBUG;
  const server = new Cluster({
    store,
    clock,
    ...(tls ? { tls } : {}),
    nodes: opts.nodes,
    timing: opts.timing,
    seed: opts.seed,
    strictImages: !!opts.strictImages,
    ...(opts.images ? { imageCatalogPath: path.resolve(opts.images) } : {}),
    // Volume contents and the leader identity live beside the store, so they outlive the process too.
    ...(opts.inMemory ? {} : { dataDir, leaderIdentity: leaderIdentity(dataDir) }),
    log: (component, message) => {
      if (verbose) process.stderr.write(`${component}: ${message}\n`);
    },
  });
  let bound: { url: string; port: number };
  try {
    bound = await server.start(opts.port, opts.address);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EADDRINUSE' ? `port ${opts.port} on ${opts.address} is already in use (try --port 0)` : e.message;
    process.stderr.write(`kubeloop: cannot listen: ${why}\n`);
    process.exit(1);
  }
  const cfg = kubeconfig ? kubeconfig(bound.url) : insecureKubeconfigFor({ server: bound.url });
  let where: string;
  if (opts.kubeconfig) {
    await writeStandaloneKubeconfig(opts.kubeconfig, cfg);
    where = `export KUBECONFIG=${opts.kubeconfig}`;
  } else {
    const file = kubeconfigPathForMerge();
    await mergeIntoKubeconfig(file, cfg);
    where = `context "kubeloop" is now current in ${file}`;
  }
  const ms = Math.round(performance.now() - started);
  const dashboard = opts.insecureHttp ? `${bound.url}/ui/` : `${bound.url}/ui/ (\`kubeloop dashboard\` prints a login link)`;
  process.stdout.write(`kubeloop is ready at ${bound.url} in ${ms} ms; ${where}, then try: kubectl get namespaces; dashboard: ${dashboard}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`kubeloop: ${signal} received, stopping\n`);
    await server.stop();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
