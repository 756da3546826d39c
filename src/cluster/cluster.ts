// Assembles a whole cluster in one process: store, API server, the in-process client and shared informers,
// the controller manager (behind leader election), the garbage collector, pod GC, the scheduler and the
// simulated nodes. `kubeloop up` serves it over HTTPS; tests and benchmarks use it directly.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { allKinds } from '../api/kinds/index.js';
import { Registry } from '../api/registry.js';
import { KubeletProxy, type PodStreamDeps } from '../apiserver/podstreams/index.js';
import { ApiServer, type TlsConfig } from '../apiserver/server.js';
import { objectKey } from '../apiserver/storage/keys.js';
import type { Clock } from '../clock/clock.js';
import { createEventRecorder, type RecordingEventRecorder } from '../client/events.js';
import { InformerFactory } from '../client/informer.js';
import { InProcessClient } from '../client/inprocess.js';
import { startGarbageCollector, gcResources, type GarbageCollectorHandle } from '../controllers/garbagecollector/index.js';
import { type NodeLifecycleHandle, startNodeLifecycle } from '../controllers/nodelifecycle/index.js';
import { type PodGCHandle, startPodGC } from '../controllers/podgc/index.js';
import { daemonSetController } from '../controllers/daemonset/index.js';
import { deploymentController } from '../controllers/deployment/index.js';
import { disruptionController } from '../controllers/disruption/index.js';
import { cronJobController } from '../controllers/cronjob/index.js';
import { jobController } from '../controllers/job/index.js';
import { ttlAfterFinishedController } from '../controllers/ttlafterfinished/index.js';
import { replicaSetController, replicationControllerController } from '../controllers/replicaset/index.js';
import { resourceQuotaController } from '../controllers/resourcequota/index.js';
import { statefulSetController } from '../controllers/statefulset/index.js';
import { endpointsController } from '../controllers/endpoints/index.js';
import { endpointSliceController } from '../controllers/endpointslice/index.js';
import { ensureDefaultStorageClass, volumeControllers } from '../controllers/volume/index.js';
import { pvcProtectionController } from '../controllers/volume/protection-pvc.js';
import { pvProtectionController } from '../controllers/volume/protection-pv.js';
import { LeaderElector } from '../controllers/runtime/leader.js';
import { ControllerManager } from '../controllers/runtime/manager.js';
import { type NodeSimulation, startNodeSimulation } from '../kubelet/index.js';
import type { KubeletEndpointRef } from '../kubelet/kubelet.js';
import { publishEndpoint, readEndpoint, withdrawEndpoint } from '../kubelet/server/endpoint-record.js';
import { KubeletServer } from '../kubelet/server/server.js';
import { clientLookup } from '../kubelet/runtime/network.js';
import { Metrics } from '../metrics/index.js';
import { DEFAULT_SCHEDULER_NAME, schedulerController } from '../scheduler/index.js';
import { KUBE_VERSION } from '../apiserver/handler.js';
import type { Store } from '../store/store.js';

export interface ClusterOptions {
  store: Store;
  clock: Clock;
  tls?: TlsConfig;
  /** Nodes to create when the store has none. */
  nodes: number;
  timing: 'realistic' | 'instant';
  seed: number;
  strictImages?: boolean;
  /** A user image catalog merged over the built-in one. */
  imageCatalogPath?: string;
  /** Where the simulated nodes keep persistent volume and hostPath data; in memory when absent. */
  dataDir?: string;
  /** The controller-manager's Lease holder name (and the kubeloop-nodes one, on a shared store); kept in the data
   * dir so a restarted process takes its own lease back at once instead of waiting for it to expire. */
  leaderIdentity?: string;
  log?(component: string, message: string): void;
  /** Which parts this process runs (several processes share one etcd): `all` (default) runs everything;
   * `apiserver` only serves the API; `controllers` runs the controller manager and scheduler behind the
   * kube-controller-manager Lease; `nodes` runs the simulated kubelets behind the kubeloop-nodes Lease. */
  role?: ClusterRole;
  /** Lease duration of the leader elections (default 15 s); renew deadline and retry period scale with it. */
  leaseDurationMs?: number;
  /** Set when several processes share the store (etcd). The simulated nodes then run behind the kubeloop-nodes
   * Lease in role `all` too, with a kubelet server on this address and port (0: any free one) that API
   * servers in other processes relay pod logs, exec, attach, port-forward and proxy requests to. */
  multiProcess?: { kubeletAddress: string; kubeletPort: number };
  /** How long an Event lives after its last write (--event-ttl); the API server's default when absent. */
  eventTtlMs?: number;
}

export type ClusterRole = 'all' | 'apiserver' | 'controllers' | 'nodes';

export class Cluster {
  readonly metrics = new Metrics();
  readonly registry = new Registry([...allKinds]);
  readonly server: ApiServer;
  readonly client: InProcessClient;
  readonly informers: InformerFactory;
  private readonly recorders: RecordingEventRecorder[] = [];
  private manager?: ControllerManager;
  private elector?: LeaderElector;
  private gc?: GarbageCollectorHandle;
  private podgc?: PodGCHandle;
  private nodeLifecycle?: NodeLifecycleHandle;
  private nodes?: { stop(): Promise<void> };
  private nodeElector?: LeaderElector;
  private kubeletServer?: KubeletServer;

  constructor(private readonly opts: ClusterOptions) {
    this.server = new ApiServer({ store: opts.store, registry: this.registry, clock: opts.clock, metrics: this.metrics, ...(opts.tls ? { tls: opts.tls } : {}), ...(opts.eventTtlMs ? { eventTtlMs: opts.eventTtlMs } : {}) });
    this.client = new InProcessClient(this.server.storage);
    this.informers = new InformerFactory(this.client, opts.clock);
    this.controllerClient = this.client.as(componentAgent('kube-controller-manager'));
    this.schedulerClient = this.client.as(componentAgent('kube-scheduler'));
    this.kubeletClient = this.client.as(componentAgent('kubelet'));
  }

  // Each component writes as itself, so managedFields name kube-controller-manager, kube-scheduler and kubelet
  // as on a real cluster.
  private readonly controllerClient: InProcessClient;
  private readonly schedulerClient: InProcessClient;
  private readonly kubeletClient: InProcessClient;

  private recorder(component: string, host?: string): RecordingEventRecorder {
    const r = createEventRecorder(this.client, this.opts.clock, host ? { component, host } : { component });
    this.recorders.push(r);
    return r;
  }

  /** Serves the API, then starts the simulated nodes and (once elected) the controllers. */
  async start(port: number, host: string): Promise<{ url: string; port: number }> {
    const bound = await this.server.listen(port, host);
    await this.startControlPlane();
    return bound;
  }

  /** The control plane without an HTTP listener (tests, benchmarks). */
  async startControlPlane(): Promise<void> {
    const role = this.opts.role ?? 'all';
    if (role === 'all' || role === 'apiserver') {
      await this.server.namespaces.start();
      this.server.eventExpiry.start();
    }
    if ((role === 'all' || role === 'apiserver') && this.opts.multiProcess) this.relayPodStreams();
    if (role === 'apiserver') {
      this.informers.start();
      return;
    }
    if (role === 'nodes') {
      this.startNodesBehindLease();
      this.informers.start();
      return;
    }
    // On a shared store several `all` processes would otherwise all run the same kubelets and fight over pods.
    const nodesHere = role === 'all' && !this.opts.multiProcess;
    await this.startControllers(nodesHere);
    if (role === 'all' && this.opts.multiProcess) this.startNodesBehindLease();
  }

  /** API servers of a multi-process cluster reach the kubelets of whichever process runs the nodes. */
  private relayPodStreams(): void {
    const pods = this.registry.kind('', 'Pod');
    const nodes = this.registry.kind('', 'Node');
    if (!pods || !nodes) return;
    const storage = this.server.storage;
    this.server.kubelets = new KubeletProxy({
      getPod: (ns, n) => storage.get(pods, ns, n) as unknown as Pod,
      getNode: (n) => this.opts.store.get(objectKey(nodes, undefined, n))?.object as unknown as Node | undefined,
      endpoint: (record) => readEndpoint(this.opts.store, record),
      cluster: clientLookup(this.client),
    });
  }

  /** What the pod stream handlers need from a running node simulation in this process. */
  private localStreams(sim: NodeSimulation): PodStreamDeps | undefined {
    const pods = this.registry.kind('', 'Pod');
    if (!pods) return undefined;
    return {
      getPod: (ns, n) => this.server.storage.get(pods, ns, n) as unknown as Pod,
      containers: sim.containers,
      cluster: clientLookup(this.client),
      clock: this.opts.clock,
    };
  }

  private electionTiming(): { leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number } {
    const lease = this.opts.leaseDurationMs;
    if (!lease) return {};
    return { leaseDurationMs: lease, renewDeadlineMs: Math.round((lease * 2) / 3), retryPeriodMs: Math.max(100, Math.round((lease * 2) / 15)) };
  }

  private startNodeSim(kubeletEndpoint?: KubeletEndpointRef) {
    const { clock } = this.opts;
    return startNodeSimulation({
      ...(kubeletEndpoint ? { kubeletEndpoint } : {}),
      client: this.kubeletClient,
      informers: this.informers,
      clock,
      count: this.opts.nodes,
      timing: this.opts.timing,
      seed: this.opts.seed,
      strictImages: !!this.opts.strictImages,
      ...(this.opts.imageCatalogPath ? { imageCatalogPath: this.opts.imageCatalogPath } : {}),
      ...(this.opts.dataDir ? { dataDir: this.opts.dataDir } : {}),
      eventRecorder: (node: string) => this.recorder('kubelet', node),
      log: (m: string) => this.opts.log?.('kubelet', m),
    });
  }

  /** `--role nodes` (and `all` on a shared store): one process at a time runs the kubelets (they would fight over
   * the same pods otherwise). With several processes, the holder also serves the kubelet API and publishes where. */
  private startNodesBehindLease(): void {
    let starting: Promise<void> | undefined;
    let streams: PodStreamDeps | undefined;
    const elector = new LeaderElector({
      client: this.client,
      clock: this.opts.clock,
      name: 'kubeloop-nodes',
      ...(this.opts.leaderIdentity ? { identity: this.opts.leaderIdentity } : {}),
      ...this.electionTiming(),
      onStartedLeading: () => {
        this.opts.log?.('kubelet', 'took the kubeloop-nodes lease: starting the simulated nodes');
        starting = (async () => {
          let endpoint: KubeletEndpointRef | undefined;
          const multi = this.opts.multiProcess;
          if (multi) {
            const server = await KubeletServer.start({ address: multi.kubeletAddress, port: multi.kubeletPort, deps: () => streams });
            this.kubeletServer = server;
            await publishEndpoint(this.opts.store, elector.identity, { url: server.url, token: server.token });
            endpoint = { port: server.port, record: elector.identity };
            this.opts.log?.('kubelet', `kubelet server listening on ${server.url}`);
          }
          const sim = await this.startNodeSim(endpoint);
          this.nodes = sim;
          streams = this.localStreams(sim);
          // The API server of this process serves pod streams from its own nodes, without a network hop.
          if ((this.opts.role ?? 'all') === 'all') this.server.podStreams = streams;
        })().catch((err) => this.opts.log?.('kubelet', `starting the simulated nodes failed: ${(err as Error).message}`));
      },
      onStoppedLeading: async () => {
        await starting;
        this.server.podStreams = undefined;
        streams = undefined;
        await this.nodes?.stop();
        this.nodes = undefined;
        await this.kubeletServer?.close();
        this.kubeletServer = undefined;
        await withdrawEndpoint(this.opts.store, elector.identity).catch(() => undefined);
      },
    });
    this.nodeElector = elector;
    elector.start();
  }

  private async startControllers(withNodes: boolean): Promise<void> {
    const { clock } = this.opts;
    const log = (component: string) => (m: string) => this.opts.log?.(component, m);
    await ensureDefaultStorageClass(this.controllerClient);
    const manager = new ControllerManager({
      client: this.controllerClient,
      clientFor: (controller) => (controller === DEFAULT_SCHEDULER_NAME ? this.schedulerClient : this.controllerClient),
      informers: this.informers,
      clock,
      recorderFor: (component) => this.recorder(component),
      hooks: {
        queue: (c, q) => {
          const w = this.metrics.workqueue(c);
          w.depth(q.depth);
          for (let i = 0; i < q.adds; i++) w.add();
          for (let i = 0; i < q.retries; i++) w.retry();
          w.workDuration(q.workSeconds);
        },
        reconciled: (c, result, s) => this.metrics.observeReconcile(c, result === 'requeue' ? 'requeue_after' : result, s),
        log: (c, m) => this.opts.log?.(c, m),
      },
    });
    this.manager = manager;
    await manager.add(replicaSetController());
    await manager.add(replicationControllerController());
    await manager.add(resourceQuotaController());
    await manager.add(deploymentController());
    await manager.add(disruptionController());
    await manager.add(daemonSetController());
    await manager.add(statefulSetController());
    await manager.add(endpointsController());
    await manager.add(endpointSliceController());
    for (const def of volumeControllers()) await manager.add(def);
    await manager.add(pvcProtectionController());
    await manager.add(pvProtectionController());
    await manager.add(jobController());
    await manager.add(cronJobController());
    await manager.add(ttlAfterFinishedController());
    await manager.add(schedulerController());

    const sim = withNodes ? await this.startNodeSim() : undefined;
    this.nodes = sim;
    if (sim) this.server.podStreams = this.localStreams(sim);

    this.elector = new LeaderElector({
      client: this.client,
      clock,
      ...(this.opts.leaderIdentity ? { identity: this.opts.leaderIdentity } : {}),
      ...this.electionTiming(),
      onStartedLeading: () => {
        this.metrics.setLeader('kube-controller-manager', true);
        void this.startLeading(log('controller-manager'));
      },
      onStoppedLeading: async () => {
        this.metrics.setLeader('kube-controller-manager', false);
        await this.stopLeading();
      },
    });
    this.elector.start();
    this.informers.start();
  }

  private async startLeading(log: (m: string) => void): Promise<void> {
    const { clock } = this.opts;
    this.gc = startGarbageCollector({
      client: this.controllerClient,
      informers: this.informers,
      clock,
      // One version per kind (a CRD may serve several); kinds that CRDs add later join as they come.
      resources: gcResources(this.registry.all().filter((d) => this.registry.kind(d.group, d.kind) === d)),
      recorder: this.recorder('garbage-collector-controller'),
      log,
    });
    const gc = this.gc;
    this.unwatchRegistry?.();
    this.unwatchRegistry = this.registry.onChange(({ added }) => {
      for (const d of gcResources(added)) if (this.registry.kind(d.group, d.kind) === d) gc.addResource(d);
    });
    this.podgc = startPodGC({ client: this.controllerClient, informers: this.informers, clock, log });
    this.nodeLifecycle = startNodeLifecycle({ client: this.controllerClient, informers: this.informers, clock, recorder: this.recorder('node-controller'), evictionRecorder: this.recorder('taint-eviction-controller'), log });
    await this.manager?.start();
  }

  private unwatchRegistry?: () => void;

  private async stopLeading(): Promise<void> {
    this.unwatchRegistry?.();
    this.unwatchRegistry = undefined;
    await this.manager?.stop();
    await this.gc?.stop();
    await this.podgc?.stop();
    await this.nodeLifecycle?.stop();
  }

  async stop(): Promise<void> {
    await this.elector?.stop();
    await this.nodeElector?.stop();
    await this.nodes?.stop();
    await this.kubeletServer?.close();
    this.informers.stop();
    for (const r of this.recorders) r.stop();
    await this.server.close();
  }
}

/** A client-go style User-Agent for an in-process component: `kubelet/v1.32.0-kubeloop (linux/amd64) kubernetes/kubeloop`. */
function componentAgent(component: string): string {
  return `${component}/${KUBE_VERSION.gitVersion} (${KUBE_VERSION.platform}) kubernetes/kubeloop`;
}
