// Assembles the API server: storage semantics, admission, discovery, OpenAPI, HTTP(S) with authentication.
import { ApiError } from '../api/errors.js';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Registry } from '../api/registry.js';
import type { Clock } from '../clock/clock.js';
import type { Metrics } from '../metrics/index.js';
import type { Store } from '../store/store.js';
import { CrdController } from './crd/controller.js';
import { Discovery } from './discovery.js';
import { createHandler } from './handler.js';
import { NamespaceLifecycle } from './namespaces.js';
import { DEFAULT_EVENT_TTL_MS, EventExpiry, eventPrefixes } from './event-ttl.js';
import { createOpenApi } from './openapi-docs.js';
import { ResourceStorage } from './storage/generic.js';
import { listPrefix } from './storage/keys.js';
import { createServiceAllocator, type ServiceAddressAllocator, serviceAddressAdmission } from '../api/kinds/service-alloc.js';
import { defaultStorageClassAdmission } from '../api/kinds/pvc-default-class.js';
import { storageObjectInUseProtectionAdmission } from '../api/kinds/storage-protection-admission.js';
import { addQuotaAdmission } from './admission/index.js';
import { writeUnauthorized } from './authn.js';
import { refuseUpgrade } from './http-util.js';
import { admitDashboard, admitDashboardUpgrade } from '../ui/server/index.js';
import { handleExecUpgrade, handlePortForwardUpgrade, type KubeletProxy, type PodStreamDeps } from './podstreams/index.js';

export interface TlsConfig {
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Returns the authenticated user or null; only called for TLS connections. */
  authenticate: (req: http.IncomingMessage) => { user: string; groups: string[] } | null;
}

export interface ApiServerOptions {
  metrics?: Metrics;
  store: Store;
  registry: Registry;
  clock: Clock;
  /** Plain HTTP when absent. */
  tls?: TlsConfig;
  /** How long an Event lives after its last write (--event-ttl; default 1 h). */
  eventTtlMs?: number;
}

export class ApiServer {
  /** Where pod logs and exec sessions are served from (the simulated nodes); set by the cluster. */
  podStreams?: PodStreamDeps;
  /** Where pod streams go when this process runs no simulated nodes: the kubelets of other processes. */
  kubelets?: KubeletProxy;
  readonly storage: ResourceStorage;
  readonly namespaces: NamespaceLifecycle;
  /** Deletes Events a TTL after their last write; started with the namespace lifecycle. */
  readonly eventExpiry: EventExpiry;
  /** Serves the resources CustomResourceDefinitions define. */
  readonly crds: CrdController;
  private server?: http.Server | https.Server;
  private ready = false;
  private readonly sockets = new Set<Duplex>();
  private serviceAddresses?: ServiceAddressAllocator;

  constructor(private readonly opts: ApiServerOptions) {
    this.storage = new ResourceStorage(opts.store, opts.registry, opts.clock);
    this.addAdmission();
    this.namespaces = new NamespaceLifecycle(this.storage, opts.clock);
    this.eventExpiry = new EventExpiry({ store: opts.store, clock: opts.clock, ttlMs: opts.eventTtlMs ?? DEFAULT_EVENT_TTL_MS, prefixes: eventPrefixes(opts.registry) });
    this.crds = new CrdController(this.storage, opts.registry, opts.clock);
    this.crds.start();
  }

  private addAdmission(): void {
    const { store, registry } = this.opts;
    const services = registry.kind('', 'Service');
    if (services) {
      // Allocation records live in the store, shared with any other API server on it; the repair pass that
      // starts here also writes the records a data dir from before them lacks.
      this.serviceAddresses = createServiceAllocator({ store, clock: this.opts.clock });
      this.storage.addAdmission(serviceAddressAdmission(this.serviceAddresses));
    }
    const classes = registry.kind('storage.k8s.io', 'StorageClass');
    if (classes) this.storage.addAdmission(defaultStorageClassAdmission(() => store.list(listPrefix(classes)).entries.map((e) => e.object)));
    this.storage.addAdmission(storageObjectInUseProtectionAdmission());
    addQuotaAdmission(this.storage, store, registry, this.opts.clock);
  }

  /** Starts serving; resolves with the bound address. */
  async listen(port: number, host: string): Promise<{ url: string; port: number }> {
    await this.namespaces.start();
    this.eventExpiry.start();
    const discovery = new Discovery(this.opts.registry, `${host}:${port}`);
    const openapi = createOpenApi(this.opts.registry);
    const handler = createHandler({
      ...(this.opts.metrics ? { metrics: this.opts.metrics } : {}),
      storage: this.storage,
      registry: this.opts.registry,
      clock: this.opts.clock,
      discovery,
      openapi,
      ready: () => this.ready,
      podStreams: () => this.podStreams,
      kubelets: () => this.kubelets,
    });
    const tls = this.opts.tls;
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
      // The dashboard's browser has no client certificate: its session cookie (or the login link) stands in.
      if (tls && !tls.authenticate(req) && !admitDashboard(this.storage, req)) {
        writeUnauthorized(res);
        return;
      }
      void handler(req, res);
    };
    const server = tls
      ? https.createServer({ cert: tls.serverCert, key: tls.serverKey, ca: [tls.caCert], requestCert: true, rejectUnauthorized: false }, onRequest)
      : http.createServer(onRequest);
    // Longer than client-go's 90 s idle timeout, so the server never closes a connection the client reuses.
    server.keepAliveTimeout = 120_000;
    server.headersTimeout = 125_000;
    server.requestTimeout = 0;
    server.on('connection', (s: Duplex) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      // A dashboard session may upgrade (its exec terminal) only from a page of this server (its Origin).
      if (tls && !tls.authenticate(req) && !admitDashboardUpgrade(this.storage, req)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      const deps = this.podStreams;
      try {
        if (deps) {
          if (!(handleExecUpgrade(req, socket, head, deps) || handlePortForwardUpgrade(req, socket, head, deps))) socket.destroy();
          return;
        }
        if (!this.kubelets?.handleUpgrade(req, socket, head)) socket.destroy();
      } catch (err) {
        // A bad request (a malformed path escape) must not take the server down.
        refuseUpgrade(socket, err);
      }
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    await this.ensureKubernetesService(addr.port);
    this.ready = true;
    const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return { url: `${tls ? 'https' : 'http'}://${shownHost}:${addr.port}`, port: addr.port };
  }

  /** The `default/kubernetes` Service every cluster has. (Its Endpoints would have to name a non-loopback
   * address, which a server on 127.0.0.1 does not have, so there are none.) */
  private async ensureKubernetesService(port: number): Promise<void> {
    const svc = this.opts.registry.kind('', 'Service');
    if (!svc || this.opts.store.get(`${listPrefix(svc, 'default')}kubernetes`)) return;
    try {
      await this.storage.create(
        svc,
        'default',
        {
          metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
          spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] },
        },
        { decode: false },
      );
    } catch (err) {
      // Another API server on the same etcd created it first.
      if (!(err instanceof ApiError && err.code === 409)) throw err;
    }
  }

  async close(): Promise<void> {
    this.ready = false;
    this.namespaces.stop();
    this.eventExpiry.stop();
    this.crds.stop();
    this.serviceAddresses?.stop();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }
}
