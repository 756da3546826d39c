// The simulated nodes of a cluster: on first start it registers `node-1..node-N`; from then on every Node in
// the API, whoever created it, gets a simulated kubelet, and deleting the Node stops it. Pods reach their
// node's kubelet through the shared pod informer (one lookup per event, never a scan of all pods).
import path from 'node:path';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, Service } from 'kubernetes-types/core/v1.js';
import { configMapDescriptor } from '../api/kinds/configmap.js';
import { nodeDescriptor } from '../api/kinds/node.js';
import { persistentVolumeDescriptor } from '../api/kinds/persistentvolume.js';
import { persistentVolumeClaimDescriptor } from '../api/kinds/persistentvolumeclaim.js';
import { podDescriptor } from '../api/kinds/pod.js';
import { secretDescriptor } from '../api/kinds/secret.js';
import { serviceDescriptor } from '../api/kinds/service.js';
import type { KubeObject } from '../api/types.js';
import type { Client } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import type { InformerFactory, SharedInformer } from '../client/informer.js';
import type { Clock } from '../clock/clock.js';
import { type CatalogFile, ImageCatalog } from './images/catalog.js';
import { CatalogConfigMap } from './images/configmap.js';
import { type KubeletEndpointRef, SimulatedKubelet } from './kubelet.js';
import { KUBELET_ENDPOINT_ANNOTATION } from './server/endpoint-record.js';
import type { ConfigLookup, NodeObjects } from './pod/config-refs.js';
import { chooseIndex, machineIdentity, nodeInternalIP, nodePodCIDR } from './node/identity.js';
import { buildNodeStatus, registrationObject } from './node/node-status.js';
import { Random } from './random.js';
import { ContainerDirectory } from './runtime/directory.js';
import type { ContainerRuntime } from './runtime/process.js';
import { createShellRuntime } from './runtime/shell-runtime.js';
import { DiskVolumeStore, MemoryVolumeStore, type VolumeStore } from './runtime/volume-store.js';
import { TimerWheel } from './timer-wheel.js';
import { timingProfile, type TimingProfile } from './timing.js';

export interface NodeSimulationOptions {
  client: Client;
  informers: InformerFactory;
  clock: Clock;
  /** Nodes to register when the cluster has none yet (first start). Default 3. */
  count?: number;
  /** `realistic` (default): steps take about as long as on a small real cluster; `instant`: no artificial delays. */
  timing?: 'realistic' | 'instant' | TimingProfile;
  /** Seed of every jitter and generated identifier (container IDs, machine IDs). Default 1. */
  seed?: number | string;
  /** Repositories missing from the catalog fail to pull instead of being assumed to exist. */
  strictImages?: boolean;
  /** A user image catalog (JSON, same shape as src/kubelet/images/catalog.json) merged over the built-in one. */
  imageCatalogPath?: string;
  /** Catalog data merged over the built-in one. */
  imageCatalog?: CatalogFile;
  /** Create (if missing) and follow ConfigMap kube-system/kubeloop-images, the run-time catalog layer. Default true. */
  imageConfigMap?: boolean;
  /** Where persistent volume and hostPath data is kept (`volumes/<pv>/`, `nodes/<node>/<path>/`) so it
   * survives restarts; in memory when absent. */
  dataDir?: string;
  /** What runs inside containers; default: the simulated shell runtime (image behaviours, logs, exec). */
  runtime?: ContainerRuntime;
  /** Event recorder per node (component `kubelet`, host = node name). Default: the project's recorder when it
   * exists, else events are dropped. */
  eventRecorder?: (nodeName: string) => EventRecorder;
  log?: (message: string, err?: unknown) => void;
  /** The kubelet server of this process, when the cluster spans several processes (see KubeletOptions). */
  kubeletEndpoint?: KubeletEndpointRef;
}

export interface NodeSimulation {
  /** Names of the nodes that currently have a kubelet. */
  nodes(): string[];
  kubelet(name: string): SimulatedKubelet | undefined;
  /** Logs, exec and servers of the containers the default runtime runs (for the pod stream handlers). */
  readonly containers: ContainerDirectory;
  stop(): Promise<void>;
}

const dropEvents: EventRecorder = { event() {} };

async function defaultRecorderFactory(client: Client, clock: Clock): Promise<(node: string) => EventRecorder> {
  // The recorder implementation is optional here so the kubelet works before (and without) it.
  const mod = (await import('../client/events.js')) as unknown as Record<string, unknown>;
  const create = mod.createEventRecorder;
  if (typeof create !== 'function') return () => dropEvents;
  return (node) => (create as (c: Client, k: Clock, o: { component: string; host: string }) => EventRecorder)(client, clock, { component: 'kubelet', host: node });
}

class Simulation implements NodeSimulation {
  private readonly kubelets = new Map<string, SimulatedKubelet>();
  private readonly indexes = new Map<string, number>();
  private readonly registering = new Set<string>();
  private readonly wheel: TimerWheel;
  private readonly catalog: ImageCatalog;
  private readonly timing: TimingProfile;
  private readonly seed: number | string;
  private readonly log: (message: string, err?: unknown) => void;
  private readonly nodesInf: SharedInformer;
  private readonly podsInf: SharedInformer;
  private readonly configMapsInf: SharedInformer;
  private readonly secretsInf: SharedInformer;
  private readonly servicesInf: SharedInformer;
  private readonly claimsInf: SharedInformer;
  private readonly volumesInf: SharedInformer;
  private readonly volumeStore: VolumeStore;
  private recorderFor: (node: string) => EventRecorder = () => dropEvents;
  readonly containers: ContainerDirectory;
  private readonly runtime: ContainerRuntime;
  private stopped = false;

  constructor(private readonly opts: NodeSimulationOptions) {
    this.log = opts.log ?? ((m, e) => console.error(`kubelet: ${m}${e ? `: ${e instanceof Error ? e.message : String(e)}` : ''}`));
    this.wheel = new TimerWheel(opts.clock, (err) => this.log('timer failed', err));
    const catalogOpts: ConstructorParameters<typeof ImageCatalog>[0] = { strict: opts.strictImages ?? false };
    if (opts.imageCatalogPath) catalogOpts.extraPath = opts.imageCatalogPath;
    if (opts.imageCatalog) catalogOpts.extra = opts.imageCatalog;
    this.catalog = new ImageCatalog(catalogOpts);
    this.timing = timingProfile(opts.timing);
    this.seed = opts.seed ?? 1;
    this.nodesInf = opts.informers.informer(nodeDescriptor);
    this.podsInf = opts.informers.informer(podDescriptor);
    this.configMapsInf = opts.informers.informer(configMapDescriptor);
    this.secretsInf = opts.informers.informer(secretDescriptor);
    this.servicesInf = opts.informers.informer(serviceDescriptor);
    this.claimsInf = opts.informers.informer(persistentVolumeClaimDescriptor);
    this.volumesInf = opts.informers.informer(persistentVolumeDescriptor);
    this.volumeStore = opts.dataDir ? new DiskVolumeStore(path.resolve(opts.dataDir), this.log) : new MemoryVolumeStore();
    this.containers = new ContainerDirectory(this.volumeStore);
    this.runtime = opts.runtime ?? createShellRuntime(this.containers);
  }

  private readonly lookupConfig: ConfigLookup = (kind, namespace, name) =>
    (kind === 'ConfigMap' ? this.configMapsInf : this.secretsInf).get(namespace, name);

  private readonly objects: NodeObjects = {
    claim: (namespace, name) => this.claimsInf.get(namespace, name) as unknown as PersistentVolumeClaim | undefined,
    services: () => this.servicesInf.list() as unknown as Service[],
  };

  /** A PersistentVolume is gone: with reclaim policy Delete its data goes too (the provisioner removed the
   * directory before deleting the object); a retained volume's data stays where it was, as on a real disk. */
  private volumeDeleted(pv: PersistentVolume): void {
    if (this.stopped) return;
    if ((pv.spec?.persistentVolumeReclaimPolicy ?? 'Delete') !== 'Delete') return;
    this.volumeStore.deleteVolume(pv.metadata?.name ?? '');
  }

  async start(): Promise<void> {
    this.recorderFor = this.opts.eventRecorder ?? (await defaultRecorderFactory(this.opts.client, this.opts.clock));
    const catalogCM = this.opts.imageConfigMap === false ? undefined : new CatalogConfigMap({ client: this.opts.client, configMaps: this.configMapsInf, catalog: this.catalog, recorder: () => this.recorderFor(''), log: this.log, ...(this.opts.imageCatalogPath ? { userCatalogPath: this.opts.imageCatalogPath } : {}) });
    catalogCM?.attach();
    this.volumesInf.addHandler({ delete: (pv) => this.volumeDeleted(pv as unknown as PersistentVolume) });
    // What containers read as they start (configuration, claims, services) is in the caches before any kubelet
    // takes over a pod: a recovered container mounts its claim's volume at once.
    const objects = [this.configMapsInf, this.secretsInf, this.servicesInf, this.claimsInf, this.volumesInf];
    for (const inf of objects) inf.start();
    await Promise.all(objects.map((i) => i.waitForSync()));
    this.nodesInf.addHandler({
      add: (n) => this.nodeAdded(n as unknown as Node),
      update: (_old, n) => this.kubelets.get(n.metadata.name ?? '')?.nodeChanged(n as unknown as Node),
      delete: (n) => this.nodeDeleted(n.metadata.name ?? ''),
    });
    this.podsInf.addHandler({
      add: (p) => this.route(p),
      update: (_old, p) => this.route(p),
      delete: (p) => {
        if (this.stopped) return;
        const node = (p.spec as { nodeName?: string } | undefined)?.nodeName;
        if (node) this.kubelets.get(node)?.podRemoved(p as unknown as Pod);
        this.containers.forget(p.metadata.uid ?? '');
      },
    });
    for (const inf of [this.nodesInf, this.podsInf]) inf.start();
    await Promise.all([this.nodesInf, this.podsInf].map((i) => i.waitForSync()));
    await catalogCM?.ensureExists();
    if (this.nodesInf.size() === 0) await this.registerInitialNodes(this.opts.count ?? 3);
  }

  private route(p: KubeObject): void {
    if (this.stopped) return;
    const node = (p.spec as { nodeName?: string } | undefined)?.nodeName;
    if (node) this.kubelets.get(node)?.podChanged(p as unknown as Pod);
  }

  /** First start: the kubelets of node-1..node-N register their Nodes, status included. */
  private async registerInitialNodes(count: number): Promise<void> {
    const now = this.opts.clock.now();
    const endpoint = this.opts.kubeletEndpoint;
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const index = i + 1;
        const name = `node-${index}`;
        const { status } = buildNodeStatus({
          name,
          internalIP: nodeInternalIP(index),
          identity: machineIdentity(new Random(`${this.seed}/machine/${name}`)),
          images: this.catalog.nodeImages().map((img) => ({ names: [img.imageID, img.fullName], sizeBytes: img.sizeBytes })).sort((a, b) => b.sizeBytes - a.sizeBytes),
          current: undefined,
          now,
          ...(endpoint ? { kubeletPort: endpoint.port } : {}),
        });
        this.registering.add(name);
        try {
          await this.opts.client.create(nodeDescriptor, undefined, registrationObject(name, nodePodCIDR(index), status, endpoint ? { [KUBELET_ENDPOINT_ANNOTATION]: endpoint.record } : {}) as unknown as KubeObject);
        } catch (err) {
          this.registering.delete(name);
          if ((err as { code?: number }).code !== 409) this.log(`registering ${name} failed`, err);
        }
      }),
    );
  }

  private nodeAdded(node: Node): void {
    if (this.stopped) return;
    const name = node.metadata?.name ?? '';
    if (this.kubelets.has(name)) return;
    let index = this.indexes.get(name);
    if (index === undefined) {
      index = chooseIndex(node, new Set(this.indexes.values()));
      this.indexes.set(name, index);
    }
    const registeredNow = this.registering.delete(name);
    const kubelet = new SimulatedKubelet({
      node,
      index,
      client: this.opts.client,
      clock: this.opts.clock,
      wheel: this.wheel,
      timing: this.timing,
      seed: this.seed,
      catalog: this.catalog,
      runtime: this.runtime,
      recorder: this.recorderFor(name),
      lookupConfig: this.lookupConfig,
      objects: this.objects,
      registeredNow,
      ...(this.opts.kubeletEndpoint ? { endpoint: this.opts.kubeletEndpoint } : {}),
      log: this.log,
    });
    this.kubelets.set(name, kubelet);
    kubelet.start(this.podsInf.byIndex('node', name) as unknown as Pod[]);
  }

  private nodeDeleted(name: string): void {
    const k = this.kubelets.get(name);
    if (!k) return;
    k.stop();
    this.kubelets.delete(name);
    this.indexes.delete(name);
  }

  nodes(): string[] {
    return [...this.kubelets.keys()].sort();
  }

  kubelet(name: string): SimulatedKubelet | undefined {
    return this.kubelets.get(name);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const k of this.kubelets.values()) k.stop();
    this.kubelets.clear();
    this.wheel.stop();
  }
}

/** Starts the simulated nodes; resolves once the initial nodes exist and every known Node has a kubelet. */
export async function startNodeSimulation(opts: NodeSimulationOptions): Promise<NodeSimulation> {
  const sim = new Simulation(opts);
  await sim.start();
  return sim;
}
