// The image catalog: which repositories and tags "exist in the registries" the simulated nodes pull from, with
// the sizes and digests containerd would report. The project's catalog.json covers the tutorial's images and
// common ones; a user file with the same shape adds more. Repositories the catalog does not know are treated as
// existing (any tag) unless the catalog is strict.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import builtin from './catalog.json' with { type: 'json' };
import { normalizeImage, type NormalizedImage } from './image-ref.js';

export interface RepositoryEntry {
  sizeBytes?: number;
  sizes?: Record<string, number>;
  tags?: string[];
  versions?: Record<string, number>;
  variants?: Record<string, string>;
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
}

export type ImageLookup =
  | { ok: true; image: ImageInfo }
  | { ok: false; reason: 'InvalidImageName'; message: string }
  | { ok: false; reason: 'ErrImagePull'; message: string };

interface Repository {
  tags: Set<string>;
  sizeBytes?: number;
  sizes: Map<string, number>;
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
  /** A user catalog file (JSON, same shape as catalog.json) merged over the built-in one. */
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

  constructor(opts: CatalogOptions = {}) {
    this.strict = opts.strict ?? false;
    this.merge(builtin as CatalogFile);
    if (opts.extraPath) this.merge(JSON.parse(readFileSync(opts.extraPath, 'utf8')) as CatalogFile);
    if (opts.extra) this.merge(opts.extra);
  }

  /** Adds repositories and tags; sizes given later win. */
  merge(file: CatalogFile): void {
    if (typeof file.defaultSizeBytes === 'number') this.defaultSize = file.defaultSizeBytes;
    for (const [name, entry] of Object.entries(file.repositories ?? {})) {
      const parsed = normalizeImage(name);
      const key = parsed.ok ? parsed.image.repository : name;
      let repo = this.repos.get(key);
      if (!repo) this.repos.set(key, (repo = { tags: new Set(), sizes: new Map() }));
      for (const t of expandTags(entry)) repo.tags.add(t);
      if (typeof entry.sizeBytes === 'number') repo.sizeBytes = entry.sizeBytes;
      for (const [k, v] of Object.entries(entry.sizes ?? {})) repo.sizes.set(k, v);
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
    if (n.tag && !repo.tags.has(n.tag)) {
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
