// `kubeloop up`: start the API server (and, in later issues, the controllers and simulated nodes).
import os from 'node:os';
import path from 'node:path';
import { Registry } from '../api/registry.js';
import { allKinds } from '../api/kinds/index.js';
import { ApiServer } from '../apiserver/server.js';
import { createAuthenticator } from '../apiserver/authn.js';
import { type Clock, RealClock, ScaledClock } from '../clock/clock.js';
import { MemoryStore } from '../store/memory.js';
import { kubeconfigFor, insecureKubeconfigFor, kubeconfigPathForMerge, mergeIntoKubeconfig, writeStandaloneKubeconfig } from './kubeconfig.js';
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
  timeScale?: number;
  insecureHttp?: boolean;
  watchHistory: number;
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
  const dataDir = opts.dataDir ?? path.join(os.homedir(), '.kubeloop');
  const clock: Clock = opts.timeScale && opts.timeScale !== 1 ? new ScaledClock(opts.timeScale) : new RealClock();
  const store = new MemoryStore({ historyEvents: opts.watchHistory });
  const registry = new Registry([...allKinds]);

  let server: ApiServer;
  let kubeconfig;
  if (opts.insecureHttp) {
    server = new ApiServer({ store, registry, clock });
  } else {
    const pki = await ensurePki(opts.inMemory ? undefined : path.join(dataDir, 'pki'), { hosts: [opts.address] });
    server = new ApiServer({
      store,
      registry,
      clock,
      tls: { caCert: pki.caCert, serverCert: pki.serverCert, serverKey: pki.serverKey, authenticate: createAuthenticator(pki) },
    });
    kubeconfig = (url: string) => kubeconfigFor({ server: url, pki });
  }
  let bound: { url: string; port: number };
  try {
    bound = await server.listen(opts.port, opts.address);
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
  process.stdout.write(`kubeloop is ready at ${bound.url} in ${ms} ms; ${where}, then try: kubectl get namespaces\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`kubeloop: ${signal} received, stopping\n`);
    await server.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
