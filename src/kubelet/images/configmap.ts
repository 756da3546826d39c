// The image catalog at run time: ConfigMap kube-system/kubeloop-images holds a catalog (YAML or JSON, the shape
// of catalog.json) under the key `catalog.yaml`. The node simulation creates it when missing (with a commented
// example), and applies it over the built-in and `--images` catalogs whenever it changes: new tags are pullable
// on the next pull retry, changed behaviours apply to containers started afterwards. A catalog that does not
// parse or validate changes nothing: the previous one stays, and a Warning Event on the ConfigMap says why.
import { configMapDescriptor } from '../../api/kinds/configmap.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { SharedInformer } from '../../client/informer.js';
import { type ImageCatalog, parseCatalogText } from './catalog.js';

export const IMAGES_CONFIGMAP_NAMESPACE = 'kube-system';
export const IMAGES_CONFIGMAP_NAME = 'kubeloop-images';
export const IMAGES_CONFIGMAP_KEY = 'catalog.yaml';

export function defaultCatalogText(userCatalogPath?: string): string {
  return `# kubeloop image catalog: applied over the built-in catalog${userCatalogPath ? ` and ${userCatalogPath} (--images)` : ''}
# every time this ConfigMap changes (kubectl edit configmap kubeloop-images -n kube-system).
# Same shape as --images FILE and src/kubelet/images/catalog.json, in YAML or JSON. New tags are pullable on
# a pod's next pull retry; a changed behaviour applies to containers started afterwards. If the text does not
# parse, the previous catalog stays and a Warning event on this ConfigMap says why (kubectl describe).
#
# repositories:
#   example.com/hello:                 # a new image: example.com/hello:1.0
#     tags: ["1.0"]
#     behaviour:
#       entrypoint: [static-server, --port, "8080", --root, /srv/www, --]
#       cmd: [sh, -c, "echo hi; sleep 3600"]
#       files:
#         /srv/www/index.html: "hello from kubeloop\\n"
#       ports: [8080]
#   docker.io/library/nginx:           # one more tag of a known image
#     tags: ["1.99.0"]
repositories: {}
`;
}

export interface CatalogConfigMapOptions {
  client: Client;
  configMaps: SharedInformer;
  catalog: ImageCatalog;
  recorder: () => EventRecorder;
  log: (message: string, err?: unknown) => void;
  userCatalogPath?: string;
}

/** Keeps an ImageCatalog's overlay in step with the ConfigMap. Call `attach()` before the informer starts. */
export class CatalogConfigMap {
  /** The text last applied (or refused), so resyncs and unrelated updates do nothing. */
  private lastText: string | undefined;
  /** Whether a version was seen before: the first one (at startup) gets no event. */
  private seen = false;

  constructor(private readonly opts: CatalogConfigMapOptions) {}

  attach(): void {
    const mine = (o: KubeObject) => o.metadata.namespace === IMAGES_CONFIGMAP_NAMESPACE && o.metadata.name === IMAGES_CONFIGMAP_NAME;
    this.opts.configMaps.addHandler({
      add: (o) => mine(o) && this.changed(o),
      update: (_old, o) => mine(o) && this.changed(o),
      delete: (o) => {
        if (!mine(o)) return;
        this.lastText = undefined;
        this.opts.catalog.setOverlay(undefined);
        this.opts.log(`image catalog ConfigMap ${IMAGES_CONFIGMAP_NAMESPACE}/${IMAGES_CONFIGMAP_NAME} deleted: back to the built-in and --images catalogs`);
      },
    });
  }

  /** Creates the ConfigMap with the commented example when it does not exist yet. */
  async ensureExists(): Promise<void> {
    if (this.opts.configMaps.get(IMAGES_CONFIGMAP_NAMESPACE, IMAGES_CONFIGMAP_NAME)) return;
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: IMAGES_CONFIGMAP_NAME, namespace: IMAGES_CONFIGMAP_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'kubeloop' } },
      data: { [IMAGES_CONFIGMAP_KEY]: defaultCatalogText(this.opts.userCatalogPath) },
    };
    try {
      await this.opts.client.create(configMapDescriptor, IMAGES_CONFIGMAP_NAMESPACE, cm as unknown as KubeObject);
    } catch (err) {
      if ((err as { code?: number }).code !== 409) this.opts.log(`creating ConfigMap ${IMAGES_CONFIGMAP_NAMESPACE}/${IMAGES_CONFIGMAP_NAME} failed`, err);
    }
  }

  private changed(o: KubeObject): void {
    try {
      this.apply(o);
    } catch (err) {
      // Nothing about a user's ConfigMap may take the node simulation down.
      this.opts.log('applying the image catalog ConfigMap failed', err);
    }
  }

  private apply(o: KubeObject): void {
    const data = ((o as { data?: Record<string, string> }).data ?? {}) as Record<string, string>;
    const keys = Object.keys(data);
    // The documented key; a ConfigMap with one other key (catalog.json, images.yaml) is read too.
    const key = IMAGES_CONFIGMAP_KEY in data ? IMAGES_CONFIGMAP_KEY : keys.length === 1 ? (keys[0] as string) : undefined;
    const text = key ? (data[key] ?? '') : '';
    if (text === this.lastText) return;
    this.lastText = text;
    const where = `ConfigMap ${IMAGES_CONFIGMAP_NAMESPACE}/${IMAGES_CONFIGMAP_NAME}`;
    if (!key && keys.length > 1) {
      this.refuse(o, `${where} has keys ${keys.join(', ')}; put the catalog under ${IMAGES_CONFIGMAP_KEY}`);
      return;
    }
    const parsed = parseCatalogText(text, `data[${JSON.stringify(key ?? IMAGES_CONFIGMAP_KEY)}]`);
    if (!parsed.ok) {
      this.refuse(o, `invalid image catalog in ${where}, keeping the previous one: ${parsed.error}`);
      return;
    }
    this.opts.catalog.setOverlay(parsed.catalog);
    const n = Object.keys(parsed.catalog.repositories ?? {}).length;
    const message = `image catalog from ${where} applied (${n} ${n === 1 ? 'repository' : 'repositories'})`;
    this.opts.log(message);
    if (this.seen) this.opts.recorder().event(o, 'Normal', 'ImageCatalogApplied', `I${message.slice(1)}`);
    this.seen = true;
  }

  private refuse(o: KubeObject, message: string): void {
    this.seen = true;
    this.opts.log(message);
    this.opts.recorder().event(o, 'Warning', 'InvalidImageCatalog', message.length > 1000 ? `${message.slice(0, 997)}...` : message);
  }
}
