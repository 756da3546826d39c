// `kubeloop up`: open the store (SQLite in the data dir, memory with --in-memory, or etcd with --etcd-servers),
// then start the API server, the controllers and the simulated nodes (or only the part --role names).
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configMapDescriptor } from '../api/kinds/configmap.js';
import { collectDefaultMetrics } from 'prom-client';
import { createAuthenticator } from '../apiserver/authn.js';
import { objectKey } from '../apiserver/storage/keys.js';
import type { TlsConfig } from '../apiserver/server.js';
import { Cluster, type ClusterRole } from '../cluster/cluster.js';
import { AdjustableClock, anchoredTime } from '../clock/clock.js';
import { CLOCK_CONFIGMAP_NAME, CLOCK_CONFIGMAP_NAMESPACE, parseClockAnchor, startClockControl } from '../clock/control.js';
import { MemoryStore } from '../store/memory.js';
import { EtcdStore } from '../store/etcd.js';
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
  /** Comma-separated etcd client URLs: objects live in etcd, and several processes can share them. */
  etcdServers?: string;
  role?: ClusterRole;
  /** Leader-election lease duration in seconds (controllers and nodes roles). */
  leaseDuration?: number;
  /** With --etcd-servers: the port of the kubelet server of the process running the nodes (0: a free one). */
  kubeletPort?: number;
  /** With --etcd-servers: the address it binds (default: --address). */
  kubeletAddress?: string;
  /** --event-ttl in milliseconds: how long an Event lives after its last write. */
  eventTtl?: number;
  /** --etcd-compaction-interval in milliseconds (0: never). */
  etcdCompactionInterval?: number;
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
  const role: ClusterRole = opts.role ?? 'all';
  if (role !== 'all' && !opts.etcdServers) {
    process.stderr.write(`kubeloop: --role ${role} needs --etcd-servers (the embedded stores belong to one process)\n`);
    process.exit(2);
  }
  if (opts.etcdServers && opts.inMemory) {
    process.stderr.write('kubeloop: --in-memory and --etcd-servers cannot be used together\n');
    process.exit(2);
  }
  if (opts.images) {
    try {
      loadCatalogFile(path.resolve(opts.images));
    } catch (err) {
      process.stderr.write(`kubeloop: --images: ${(err as Error).message}\n`);
      process.exit(2);
    }
  }
  const dataDir = opts.dataDir ?? path.join(os.homedir(), '.kubeloop');
  let store: Store;
  if (opts.etcdServers) {
    // Objects in etcd; this process keeps a watch cache, relisted if etcd compacts past it.
    const servers = opts.etcdServers.split(',').map((u) => u.trim()).filter(Boolean);
    try {
      store = await EtcdStore.open({
        servers,
        historyEvents: opts.watchHistory,
        onResync: (why) => process.stderr.write(`kubeloop: ${why}\n`),
        ...(opts.etcdCompactionInterval !== undefined ? { compactionIntervalMs: opts.etcdCompactionInterval } : {}),
        log: (m) => process.env.KUBELOOP_DEBUG && process.stderr.write(`etcd: ${m}\n`),
      });
    } catch (err) {
      process.stderr.write(`kubeloop: ${(err as Error).message}\n`);
      process.exit(1);
    }
  } else if (opts.inMemory) {
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

  // The cluster clock, adjustable at run time through ConfigMap kube-system/kubeloop-clock (src/clock/control.ts).
  // Cluster time goes on from the anchor the cluster already has (a restart on the same data, or another
  // process on the same etcd), rather than from this process's wall clock; --time-scale applies from now on.
  const anchor = parseClockAnchor(store.get(objectKey(configMapDescriptor, CLOCK_CONFIGMAP_NAMESPACE, CLOCK_CONFIGMAP_NAME))?.object);
  const clock = new AdjustableClock({ rate: opts.timeScale ?? 1, ...(anchor ? { start: anchoredTime(anchor, Date.now()) } : {}) });
  let tls: TlsConfig | undefined;
  let kubeconfig;
  if (!opts.insecureHttp) {
    const pki = await ensurePki(opts.inMemory ? undefined : path.join(dataDir, 'pki'), { hosts: [opts.address] });
    tls = { caCert: pki.caCert, serverCert: pki.serverCert, serverKey: pki.serverKey, authenticate: createAuthenticator(pki) };
    kubeconfig = (url: string) => kubeconfigFor({ server: url, pki });
  }
  const verbose = !!process.env.KUBELOOP_DEBUG;
  // On etcd the startup line names this process's Lease identity, so one can tell which process leads.
  const candidate = `${os.hostname()}_${randomUUID()}`;
  const server = new Cluster({
    store,
    clock,
    ...(tls ? { tls } : {}),
    nodes: opts.nodes,
    timing: opts.timing,
    seed: opts.seed,
    strictImages: !!opts.strictImages,
    ...(opts.images ? { imageCatalogPath: path.resolve(opts.images) } : {}),
    // Volume contents and the leader identity live beside the store, so they outlive the process too. On etcd
    // each process is a fresh candidate (several may share a data dir for the certificates).
    ...(opts.inMemory ? {} : opts.etcdServers ? { dataDir, leaderIdentity: candidate } : { dataDir, leaderIdentity: leaderIdentity(dataDir) }),
    role,
    ...(opts.leaseDuration ? { leaseDurationMs: opts.leaseDuration * 1000 } : {}),
    ...(opts.eventTtl ? { eventTtlMs: opts.eventTtl } : {}),
    // Processes sharing etcd reach each other's kubelets over HTTPS; one process alone needs no listener.
    ...(opts.etcdServers ? { multiProcess: { kubeletAddress: opts.kubeletAddress ?? opts.address, kubeletPort: opts.kubeletPort ?? 0 } } : {}),
    log: (component, message) => {
      if (verbose) process.stderr.write(`${component}: ${message}\n`);
    },
  });
  // The process's own figures (resident memory, heap, CPU, event-loop lag) on /metrics, as kube-apiserver
  // exports process_* and go_* ones; only here, since tests build many clusters in one process.
  collectDefaultMetrics({ register: server.metrics.registry });
  const verboseLog = (m: string) => verbose && process.stderr.write(`clock: ${m}\n`);
  if (role === 'controllers' || role === 'nodes') {
    // No API served here: this process works on etcd through its own storage layer and in-process client.
    await server.startControlPlane();
    // Joining a cluster: follow its clock's settings rather than resetting them to this command line's.
    const clockControl = await startClockControl({ client: server.client, informers: server.informers, clock, log: verboseLog, adopt: true });
    const ms = Math.round(performance.now() - started);
    process.stdout.write(`kubeloop ${role} is running against etcd ${opts.etcdServers} in ${ms} ms (acts while it holds its Lease, as ${candidate})\n`);
    onSignals(async () => {
      clockControl.stop();
      await server.stop();
      await store.close();
    });
    return;
  }
  let bound: { url: string; port: number };
  try {
    bound = await server.start(opts.port, opts.address);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EADDRINUSE' ? `port ${opts.port} on ${opts.address} is already in use (try --port 0)` : e.message;
    process.stderr.write(`kubeloop: cannot listen: ${why}\n`);
    process.exit(1);
  }
  const clockControl = await startClockControl({ client: server.client, informers: server.informers, clock, log: verboseLog });
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
  const leases = opts.etcdServers && role === 'all' ? `; Lease identity: ${candidate}` : '';
  process.stdout.write(`kubeloop is ready at ${bound.url} in ${ms} ms; ${where}, then try: kubectl get namespaces; dashboard: ${dashboard}${leases}\n`);

  onSignals(async () => {
    clockControl.stop();
    await server.stop();
    await store.close();
  });
}

function onSignals(shutdown: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`kubeloop: ${signal} received, stopping\n`);
    await shutdown();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
