// The image catalog: which repositories and tags "exist in the registries" the simulated nodes pull from, with
// the sizes and digests containerd would report. The project's catalog.json covers the tutorial's images and
// common ones; a user file with the same shape adds more. Repositories the catalog does not know are treated as
// existing (any tag) unless the catalog is strict. Each repository may carry a `behaviour` (what its containers
// run, see behaviour.ts). The catalog is layered: built-in < `--images FILE` < `extra` < the runtime overlay
// (the kube-system/kubeloop-images ConfigMap), and the overlay can be replaced at any time.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isScalar, isSeq, parseDocument, visit } from 'yaml';
import builtin from './catalog.json' with { type: 'json' };
import { type BehaviourSpec, type ImageBehaviour, mergeBehaviour, resolveBehaviour, validateBehaviour } from './behaviour.js';
import { normalizeImage, type NormalizedImage } from './image-ref.js';

export interface RepositoryEntry {
  sizeBytes?: number;
  sizes?: Record<string, number>;
  tags?: string[];
  versions?: Record<string, number>;
  variants?: Record<string, string>;
  /** What the image runs (entrypoint, cmd, workingDir, env, files, ports, per-tag overrides in byTag). */
  behaviour?: BehaviourSpec;
}

export interface CatalogFile {
  defaultSizeBytes?: number;
  repositories?: Record<string, RepositoryEntry>;
  nodeImages?: string[];
}

/** A pullable image as the runtime describes it. */
export interface ImageInfo {
  /** `docker.io/library/nginx:1.25` (or `...@sha256:` for digest references). */
  fullName: string;
  repository: string;
  tag: string;
  /** `sha256:<64 hex>` */
  digest: string;
  /** `docker.io/library/nginx@sha256:<64 hex>`: containerStatuses[].imageID and the node's image names. */
  imageID: string;
  sizeBytes: number;
  /** What a container of this image runs, as the catalog said when the image was looked up. */
  behaviour?: ImageBehaviour;
}

export type ImageLookup =
  | { ok: true; image: ImageInfo }
  | { ok: false; reason: 'InvalidImageName'; message: string }
  | { ok: false; reason: 'ErrImagePull'; message: string };

interface Repository {
  tags: Set<string>;
  sizeBytes?: number;
  sizes: Map<string, number>;
  behaviour?: BehaviourSpec;
  /** Some layer lists tags (or versions); a repository that only brings a behaviour accepts any tag. */
  listsTags: boolean;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Problems in a catalog document (a file or the ConfigMap), each as `path: what is wrong`; empty when valid. */
export function validateCatalog(doc: unknown): string[] {
  const errs: string[] = [];
  if (doc === null || doc === undefined) return errs;
  if (!isObj(doc)) return ['catalog: must be an object with `repositories`'];
  const known = new Set(['about', 'defaultSizeBytes', 'repositories', 'nodeImages']);
  for (const k of Object.keys(doc)) if (!known.has(k)) errs.push(`${k}: unknown field (expected one of ${[...known].join(', ')})`);
  if (doc.defaultSizeBytes !== undefined && !(Number.isInteger(doc.defaultSizeBytes) && (doc.defaultSizeBytes as number) >= 0)) errs.push('defaultSizeBytes: must be a non-negative integer');
  if (doc.nodeImages !== undefined && !(Array.isArray(doc.nodeImages) && doc.nodeImages.every((x) => typeof x === 'string'))) errs.push('nodeImages: must be a list of image references');
  if (doc.repositories === undefined || doc.repositories === null) return errs;
  if (!isObj(doc.repositories)) return [...errs, 'repositories: must be a map from repository to entry'];
  for (const [name, entry] of Object.entries(doc.repositories)) {
    const at = `repositories[${JSON.stringify(name)}]`;
    const parsed = normalizeImage(name);
    if (!parsed.ok) errs.push(`${at}: ${parsed.message}`);
    else if (parsed.image.spec.includes('@') || /:[^/]*$/.test(name)) errs.push(`${at}: a repository name has no tag or digest (list tags in \`tags\`)`);
    if (entry === null) continue;
    if (!isObj(entry)) {
      errs.push(`${at}: must be an object`);
      continue;
    }
    const fields = new Set(['sizeBytes', 'sizes', 'tags', 'versions', 'variants', 'behaviour']);
    for (const k of Object.keys(entry)) if (!fields.has(k)) errs.push(`${at}.${k}: unknown field (expected one of ${[...fields].join(', ')})`);
    if (entry.tags !== undefined && !(Array.isArray(entry.tags) && entry.tags.every((t) => typeof t === 'string' || typeof t === 'number'))) errs.push(`${at}.tags: must be a list of tags`);
    if (entry.sizeBytes !== undefined && !(Number.isInteger(entry.sizeBytes) && (entry.sizeBytes as number) >= 0)) errs.push(`${at}.sizeBytes: must be a non-negative integer`);
    for (const k of ['sizes', 'versions', 'variants'] as const) if (entry[k] !== undefined && !isObj(entry[k])) errs.push(`${at}.${k}: must be a map`);
    if (entry.behaviour !== undefined) validateBehaviour(entry.behaviour, `${at}.behaviour`, errs);
  }
  return errs;
}

export type ParsedCatalog = { ok: true; catalog: CatalogFile } | { ok: false; error: string };

/** YAML with tags and map keys kept as written: `tags: [1.10]` is the tag "1.10", not the number 1.1. */
function readYaml(text: string): unknown {
  const d = parseDocument(text, { prettyErrors: true });
  if (d.errors.length) throw d.errors[0];
  visit(d, {
    Pair(_, pair) {
      if (isScalar(pair.key) && typeof pair.key.value === 'number' && pair.key.source) pair.key.value = pair.key.source;
      if (isScalar(pair.key) && pair.key.value === 'tags' && isSeq(pair.value)) {
        for (const it of pair.value.items) if (isScalar(it) && typeof it.value === 'number' && it.source) it.value = it.source;
      }
    },
  });
  return d.toJS();
}

/** Reads catalog text: JSON, or YAML (a superset of JSON). */
export function parseCatalogText(text: string, source = 'catalog'): ParsedCatalog {
  let doc: unknown;
  try {
    // JSON documents are read as JSON, so their errors read as JSON's.
    doc = text.trimStart().startsWith('{') ? JSON.parse(text) : readYaml(text);
  } catch (err) {
    return { ok: false, error: `${source}: ${(err as Error).message.split('\n')[0]}` };
  }
  const errs = validateCatalog(doc);
  if (errs.length) return { ok: false, error: `${source}: ${errs.slice(0, 5).join('; ')}${errs.length > 5 ? `; and ${errs.length - 5} more` : ''}` };
  const file = (doc ?? {}) as CatalogFile;
  for (const entry of Object.values(file.repositories ?? {})) if (entry?.tags) entry.tags = entry.tags.map(String);
  return { ok: true, catalog: file };
}

/** Reads a user catalog file (JSON or YAML); throws with the file name and the problems found. */
export function loadCatalogFile(path: string): CatalogFile {
  const r = parseCatalogText(readFileSync(path, 'utf8'), path);
  if (!r.ok) throw new Error(`invalid image catalog ${r.error}`);
  return r.catalog;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Every tag a repository entry stands for: the literal ones plus the expanded versions and their variants. */
export function expandTags(entry: RepositoryEntry): Set<string> {
  const tags = new Set(entry.tags ?? []);
  for (const [minor, highestPatch] of Object.entries(entry.versions ?? {})) {
    const versions = [minor];
    for (let p = 0; p <= highestPatch; p++) versions.push(`${minor}.${p}`);
    for (const v of versions) tags.add(v);
    for (const [suffix, since] of Object.entries(entry.variants ?? {})) {
      if (compareVersions(minor, since) < 0) continue;
      for (const v of versions) tags.add(`${v}${suffix}`);
    }
  }
  return tags;
}

/** A stable fake digest: the same image and tag always get the same one, on every node and every run. */
export function fakeDigest(repository: string, tagOrDigest: string): string {
  return `sha256:${createHash('sha256').update(`kubeloop-image/${repository}:${tagOrDigest}`).digest('hex')}`;
}

export interface CatalogOptions {
  /** A user catalog file (JSON or YAML, same shape as catalog.json) merged over the built-in one. */
  extraPath?: string;
  /** Catalog data merged over the built-in one (tests, embedding). */
  extra?: CatalogFile;
  /** When true, repositories missing from the catalog fail to pull like a registry denying access. */
  strict?: boolean;
}

export class ImageCatalog {
  private readonly repos = new Map<string, Repository>();
  private defaultSize = 52_428_800;
  private readonly systemImages: string[] = [];
  readonly strict: boolean;
  /** The layers below the runtime overlay, in order. */
  private readonly layers: CatalogFile[] = [];
  private overlay: CatalogFile | undefined;

  constructor(opts: CatalogOptions = {}) {
    this.strict = opts.strict ?? false;
    this.layers.push(builtin as CatalogFile);
    if (opts.extraPath) this.layers.push(loadCatalogFile(opts.extraPath));
    if (opts.extra) this.layers.push(opts.extra);
    this.rebuild();
  }

  private rebuild(): void {
    this.repos.clear();
    this.defaultSize = 52_428_800;
    this.systemImages.length = 0;
    for (const l of this.layers) this.apply(l);
    if (this.overlay) this.apply(this.overlay);
  }

  /** Adds a layer for good (below the overlay): repositories, tags and behaviours; later values win. */
  merge(file: CatalogFile): void {
    this.layers.push(file);
    this.rebuild();
  }

  /** Replaces the runtime layer (the ConfigMap's catalog); undefined removes it. Pulls and container starts
   * from now on see the result; images already on nodes stay. */
  setOverlay(file: CatalogFile | undefined): void {
    this.overlay = file;
    this.rebuild();
  }

  /** The merged behaviour entry of a repository (before per-tag resolution). */
  behaviourOf(repository: string): BehaviourSpec | undefined {
    return this.repos.get(repository)?.behaviour;
  }

  private apply(file: CatalogFile): void {
    if (typeof file.defaultSizeBytes === 'number') this.defaultSize = file.defaultSizeBytes;
    for (const [name, entry] of Object.entries(file.repositories ?? {})) {
      const parsed = normalizeImage(name);
      const key = parsed.ok ? parsed.image.repository : name;
      let repo = this.repos.get(key);
      if (!repo) this.repos.set(key, (repo = { tags: new Set(), sizes: new Map(), listsTags: false }));
      if (!entry) continue;
      if (entry.tags !== undefined || entry.versions !== undefined) repo.listsTags = true;
      for (const t of expandTags(entry)) repo.tags.add(t);
      if (typeof entry.sizeBytes === 'number') repo.sizeBytes = entry.sizeBytes;
      for (const [k, v] of Object.entries(entry.sizes ?? {})) repo.sizes.set(k, v);
      const b = mergeBehaviour(repo.behaviour, entry.behaviour);
      if (b) repo.behaviour = b;
    }
    for (const img of file.nodeImages ?? []) if (!this.systemImages.includes(img)) this.systemImages.push(img);
  }

  knowsRepository(repository: string): boolean {
    return this.repos.has(repository);
  }

  tagsOf(repository: string): string[] {
    return [...(this.repos.get(repository)?.tags ?? [])];
  }

  private sizeOf(repo: Repository | undefined, tag: string): number {
    if (!repo) return this.defaultSize;
    const exact = repo.sizes.get(tag);
    if (exact !== undefined) return exact;
    let best: string | undefined;
    for (const k of repo.sizes.keys()) {
      if (k.startsWith('-') && tag.endsWith(k) && (!best || k.length > best.length)) best = k;
    }
    return best ? (repo.sizes.get(best) as number) : (repo.sizeBytes ?? this.defaultSize);
  }

  private info(n: NormalizedImage, repo: Repository | undefined): ImageInfo {
    const digest = n.digest || fakeDigest(n.repository, n.tag);
    return {
      fullName: n.fullName,
      repository: n.repository,
      tag: n.tag,
      digest,
      imageID: `${n.repository}@${digest}`,
      sizeBytes: this.sizeOf(repo, n.tag),
      ...(repo?.behaviour ? { behaviour: resolveBehaviour(repo.behaviour, n.tag) as ImageBehaviour } : {}),
    };
  }

  /** What pulling `spec` would give, with containerd's error text when it fails. */
  lookup(spec: string): ImageLookup {
    const parsed = normalizeImage(spec);
    if (!parsed.ok) return { ok: false, reason: 'InvalidImageName', message: parsed.message };
    const n = parsed.image;
    const repo = this.repos.get(n.repository);
    const prefix = `failed to pull and unpack image ${JSON.stringify(n.fullName)}: failed to resolve reference ${JSON.stringify(n.fullName)}`;
    if (!repo) {
      if (!this.strict) return { ok: true, image: this.info(n, undefined) };
      const denied = n.domain === 'docker.io'
        ? 'pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed'
        : `${n.fullName}: not found`;
      return { ok: false, reason: 'ErrImagePull', message: `rpc error: code = ${n.domain === 'docker.io' ? 'Unknown' : 'NotFound'} desc = ${prefix}: ${denied}` };
    }
    if (n.tag && repo.listsTags && !repo.tags.has(n.tag)) {
      return { ok: false, reason: 'ErrImagePull', message: `rpc error: code = NotFound desc = ${prefix}: ${n.fullName}: not found` };
    }
    return { ok: true, image: this.info(n, repo) };
  }

  /** Images every node has before any pod runs (the sandbox image, the node's own daemons). */
  nodeImages(): ImageInfo[] {
    const out: ImageInfo[] = [];
    for (const spec of this.systemImages) {
      const r = this.lookup(spec);
      if (r.ok) out.push(r.image);
    }
    return out;
  }
}
