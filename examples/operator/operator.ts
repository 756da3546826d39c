// An example operator written with @kubernetes/client-node, the way one would write it for a real cluster.
// For every Website (example.com/v1, see website-crd.yaml) it keeps
//   - a ConfigMap `<name>-content` holding the page (spec.message as index.html), and
//   - a Deployment `<name>` running spec.replicas nginx pods that serve it,
// both owned by the Website (ownerReferences, so deleting the Website deletes them), and it reports the
// Deployment's ready replicas in the Website's status through the status subresource.
//
// It is level-triggered: informers on Websites and Deployments only queue Website keys; `reconcile` reads the
// current state and writes the difference.
//
// Run it against any kubeconfig (kubeloop's or a real cluster's):
//   kubectl apply -f examples/operator/website-crd.yaml
//   node --import tsx examples/operator/operator.ts        # uses $KUBECONFIG / ~/.kube/config
//   kubectl apply -f examples/operator/website.yaml
//   kubectl get websites
import * as k8s from '@kubernetes/client-node';
import { pathToFileURL } from 'node:url';

export const GROUP = 'example.com';
export const VERSION = 'v1';
export const PLURAL = 'websites';

export interface Website extends k8s.KubernetesObject {
  spec: { replicas?: number; message: string };
  status?: { readyReplicas?: number; observedGeneration?: number };
}

export interface OperatorOptions {
  /** Only watch this namespace (default: all namespaces). */
  namespace?: string;
  log?: (message: string) => void;
}

export interface Operator {
  /** Resolves once both informers have listed. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

function isNotFound(err: unknown): boolean {
  return (err as { code?: number })?.code === 404;
}

function isConflict(err: unknown): boolean {
  return (err as { code?: number })?.code === 409;
}

function ownerReference(w: Website): k8s.V1OwnerReference {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'Website', name: w.metadata!.name!, uid: w.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

function desiredConfigMap(w: Website): k8s.V1ConfigMap {
  return {
    metadata: { name: `${w.metadata!.name}-content`, namespace: w.metadata!.namespace!, labels: { website: w.metadata!.name! }, ownerReferences: [ownerReference(w)] },
    data: { 'index.html': `${w.spec.message}\n` },
  };
}

function desiredDeployment(w: Website): k8s.V1Deployment {
  const name = w.metadata!.name!;
  const labels = { website: name };
  return {
    metadata: { name, namespace: w.metadata!.namespace!, labels, ownerReferences: [ownerReference(w)] },
    spec: {
      replicas: w.spec.replicas ?? 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.25',
              ports: [{ containerPort: 80 }],
              volumeMounts: [{ name: 'content', mountPath: '/usr/share/nginx/html' }],
            },
          ],
          volumes: [{ name: 'content', configMap: { name: `${name}-content` } }],
        },
      },
    },
  };
}

export function startOperator(kc: k8s.KubeConfig, opts: OperatorOptions = {}): Operator {
  const log = opts.log ?? (() => {});
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const ns = opts.namespace;

  const websitesPath = ns ? `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${PLURAL}` : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
  const websites = k8s.makeInformer<Website>(kc, websitesPath, async () =>
    (ns
      ? custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL })
      : custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })) as Promise<k8s.KubernetesListObject<Website>>,
  );
  const deploymentsPath = ns ? `/apis/apps/v1/namespaces/${ns}/deployments` : '/apis/apps/v1/deployments';
  const deployments = k8s.makeInformer<k8s.V1Deployment>(
    kc,
    deploymentsPath,
    () => (ns ? apps.listNamespacedDeployment({ namespace: ns, labelSelector: 'website' }) : apps.listDeploymentForAllNamespaces({ labelSelector: 'website' })),
    'website',
  );

  // A tiny de-duplicating work queue: keys wait in `queued`, one reconcile runs at a time per key.
  const queued = new Set<string>();
  let running = false;
  let stopped = false;
  const enqueue = (namespace: string | undefined, name: string | undefined): void => {
    if (!namespace || !name || stopped) return;
    queued.add(`${namespace}/${name}`);
    void drain();
  };
  const drain = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      while (queued.size && !stopped) {
        const key = queued.values().next().value as string;
        queued.delete(key);
        const [namespace, name] = key.split('/') as [string, string];
        try {
          await reconcile(namespace, name);
        } catch (err) {
          log(`reconcile ${key} failed: ${(err as Error).message}; retrying`);
          setTimeout(() => enqueue(namespace, name), isConflict(err) ? 50 : 500);
        }
      }
    } finally {
      running = false;
    }
  };

  const ownerOf = (d: k8s.V1Deployment): string | undefined => d.metadata?.ownerReferences?.find((r) => r.kind === 'Website' && r.apiVersion.startsWith(`${GROUP}/`))?.name;

  websites.on('add', (w) => enqueue(w.metadata?.namespace, w.metadata?.name));
  websites.on('update', (w) => enqueue(w.metadata?.namespace, w.metadata?.name));
  deployments.on('add', (d) => enqueue(d.metadata?.namespace, ownerOf(d)));
  deployments.on('update', (d) => enqueue(d.metadata?.namespace, ownerOf(d)));
  deployments.on('delete', (d) => enqueue(d.metadata?.namespace, ownerOf(d)));
  for (const inf of [websites, deployments] as Array<k8s.Informer<k8s.KubernetesObject>>) {
    inf.on('error', (err) => {
      if (stopped) return;
      log(`watch error: ${String(err)}; restarting`);
      setTimeout(() => void inf.start().catch(() => {}), 1000);
    });
  }

  async function reconcile(namespace: string, name: string): Promise<void> {
    const w = websites.get(name, namespace);
    if (!w || w.metadata?.deletionTimestamp) return; // owned objects are garbage-collected with their owner
    await ensureConfigMap(w);
    const dep = await ensureDeployment(w);
    const ready = dep.status?.readyReplicas ?? 0;
    if (w.status?.readyReplicas !== ready || w.status?.observedGeneration !== w.metadata?.generation) {
      await custom.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { status: { readyReplicas: ready, observedGeneration: w.metadata?.generation } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      log(`website ${namespace}/${name}: ${ready} ready`);
    }
  }

  async function ensureConfigMap(w: Website): Promise<void> {
    const want = desiredConfigMap(w);
    const namespace = want.metadata!.namespace!;
    try {
      const have = await core.readNamespacedConfigMap({ name: want.metadata!.name!, namespace });
      if (JSON.stringify(have.data) === JSON.stringify(want.data)) return;
      await core.replaceNamespacedConfigMap({ name: want.metadata!.name!, namespace, body: { ...have, data: want.data } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await core.createNamespacedConfigMap({ namespace, body: want });
    }
  }

  async function ensureDeployment(w: Website): Promise<k8s.V1Deployment> {
    const want = desiredDeployment(w);
    const namespace = want.metadata!.namespace!;
    const name = want.metadata!.name!;
    try {
      const have = await apps.readNamespacedDeployment({ name, namespace });
      if (have.spec?.replicas === want.spec?.replicas) return have;
      return await apps.replaceNamespacedDeployment({ name, namespace, body: { ...have, spec: { ...have.spec!, replicas: want.spec!.replicas } } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return apps.createNamespacedDeployment({ namespace, body: want });
    }
  }

  const ready = Promise.all([websites.start(), deployments.start()]).then(() => undefined);
  return {
    ready,
    async stop() {
      stopped = true;
      await Promise.allSettled([websites.stop(), deployments.stop()]);
    },
  };
}

// `node --import tsx examples/operator/operator.ts`: run until interrupted.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const op = startOperator(kc, { log: (m) => console.log(m) });
  await op.ready;
  console.log('website operator running; Ctrl-C to stop');
  const shutdown = () => void op.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
