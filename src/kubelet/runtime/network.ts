// Cluster DNS and kube-proxy, as far as a simulated client needs them: a host name becomes a pod to connect
// to. Service names (with the pod's search domains) pick one of the ready pods the selector matches, headless
// pod names (`hostname.subdomain.ns.svc.cluster.local`) name one pod, cluster IPs behave like service names.
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { serviceDescriptor } from '../../api/kinds/service.js';
import type { Client } from '../../client/client.js';

/** The slice of the API the resolver reads. Async so a plain client works as well as an informer cache. */
export interface ClusterLookup {
  service(namespace: string, name: string): Promise<Service | undefined>;
  services(): Promise<Service[]>;
  pods(namespace: string): Promise<Pod[]>;
}

const lookups = new WeakMap<Client, ClusterLookup>();

/** One lookup per client, so every pod of a cluster shares the services' round robin. */
export function clientLookup(client: Client): ClusterLookup {
  let l = lookups.get(client);
  if (!l) lookups.set(client, (l = directLookup(client)));
  return l;
}

function directLookup(client: Client): ClusterLookup {
  return {
    async service(namespace, name) {
      try {
        return (await client.get(serviceDescriptor, namespace, name)) as unknown as Service;
      } catch {
        return undefined;
      }
    },
    async services() {
      return (await client.list(serviceDescriptor, undefined)).items as unknown as Service[];
    },
    async pods(namespace) {
      return (await client.list(podDescriptor, namespace)).items as unknown as Pod[];
    },
  };
}

/** Where a connection lands: a pod (by namespace and name) and the port on it, or why it cannot. */
export type Destination = { namespace: string; pod: string; port: number } | 'refused' | 'unknown-host';

const DOMAIN = 'svc.cluster.local';

export function podReady(p: Pod): boolean {
  return !p.metadata?.deletionTimestamp && !!p.status?.podIP && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

function selects(selector: Record<string, string> | undefined, pod: Pod): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** A service port's target on one pod: a number, or a named container port of that pod. */
export function targetPortOn(sp: ServicePort, pod: Pod): number | undefined {
  const t = sp.targetPort ?? sp.port;
  if (typeof t === 'number') return t;
  if (/^\d+$/.test(t)) return Number(t);
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === t) return p.containerPort;
  return undefined;
}

/** The names the pod's resolv.conf search list makes of `host`, most specific first. */
function candidates(host: string, namespace: string): string[] {
  const h = host.replace(/\.$/, '').toLowerCase();
  if (h.endsWith('.cluster.local')) return [h];
  return [`${h}.${namespace}.${DOMAIN}`, `${h}.${DOMAIN}`, `${h}.cluster.local`];
}

export class ServiceRouter {
  /** Round robin per service, so repeated requests spread over the replicas the way users expect to see. */
  private readonly turns = new Map<string, number>();

  constructor(private readonly cluster: ClusterLookup) {}

  /** Resolves a DNS name or a cluster IP; undefined when the name is not a cluster name (the caller decides). */
  async resolve(host: string, port: number, fromNamespace: string): Promise<Destination | undefined> {
    if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
      const svc = (await this.cluster.services()).find((s) => s.spec?.clusterIP === host && host !== 'None');
      return svc ? this.viaService(svc, port) : undefined;
    }
    for (const name of candidates(host, fromNamespace)) {
      if (!name.endsWith(`.${DOMAIN}`)) continue;
      const parts = name.slice(0, -DOMAIN.length - 1).split('.');
      if (parts.length === 2) {
        const svc = await this.cluster.service(parts[1] as string, parts[0] as string);
        if (svc) return this.viaService(svc, port);
      } else if (parts.length === 3) {
        const [hostname, subdomain, ns] = parts as [string, string, string];
        const dest = await this.headlessPod(ns, hostname, subdomain, port);
        if (dest) return dest;
      }
    }
    return 'unknown-host';
  }

  /** A pod with hostname and subdomain answers to its DNS name when a service of that name exists. */
  private async headlessPod(ns: string, hostname: string, subdomain: string, port: number): Promise<Destination | undefined> {
    const svc = await this.cluster.service(ns, subdomain);
    if (!svc) return undefined;
    const pods = await this.cluster.pods(ns);
    const pod = pods.find((p) => p.spec?.hostname === hostname && p.spec?.subdomain === subdomain && (podReady(p) || !!svc.spec?.publishNotReadyAddresses));
    return pod ? { namespace: ns, pod: pod.metadata?.name ?? '', port } : undefined;
  }

  /** The endpoints a service has right now: ready pods its selector matches, with the port's target on each. */
  async endpoints(svc: Service, sp: ServicePort | undefined): Promise<Array<{ pod: Pod; port: number }>> {
    const ns = svc.metadata?.namespace ?? 'default';
    const out: Array<{ pod: Pod; port: number }> = [];
    for (const p of await this.cluster.pods(ns)) {
      if (!selects(svc.spec?.selector, p) || !(podReady(p) || svc.spec?.publishNotReadyAddresses)) continue;
      const port = sp ? targetPortOn(sp, p) : undefined;
      if (port !== undefined) out.push({ pod: p, port });
    }
    return out.sort((a, b) => (a.pod.metadata?.name ?? '').localeCompare(b.pod.metadata?.name ?? ''));
  }

  /** One endpoint, taking turns. */
  async pick(svc: Service, sp: ServicePort | undefined): Promise<{ pod: Pod; port: number } | undefined> {
    const eps = await this.endpoints(svc, sp);
    if (eps.length === 0) return undefined;
    const key = svc.metadata?.uid ?? `${svc.metadata?.namespace}/${svc.metadata?.name}`;
    const turn = this.turns.get(key) ?? 0;
    this.turns.set(key, turn + 1);
    return eps[turn % eps.length];
  }

  private async viaService(svc: Service, port: number): Promise<Destination> {
    const ns = svc.metadata?.namespace ?? 'default';
    const headless = svc.spec?.clusterIP === 'None';
    // A headless name resolves to pod IPs, so the port is the pod's own; a ClusterIP only forwards its ports.
    const sp = headless ? { port, targetPort: port } : svc.spec?.ports?.find((p) => p.port === port);
    if (!sp) return 'refused';
    const ep = await this.pick(svc, sp);
    if (!ep) return headless ? 'unknown-host' : 'refused';
    return { namespace: ns, pod: ep.pod.metadata?.name ?? '', port: ep.port };
  }
}
