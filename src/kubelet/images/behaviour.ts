// What an image does when it runs, as data: its ENTRYPOINT and CMD, working directory, environment, the files
// it ships and the ports its program serves. The entries live in the image catalog (catalog.json, a user's
// `--images FILE`, the `kube-system/kubeloop-images` ConfigMap) under each repository's `behaviour`, with
// optional per-tag overrides in `byTag`. Later layers override field by field; `env` and `files` merge key by
// key (a null value removes a key). File contents are text, or `{ "builtin": NAME }` for the big default pages
// the programs ship with. Repositories without a behaviour keep running until stopped.
import { HTTPD_INDEX, NGINX_INDEX } from '../../containers/programs/servers.js';
import { ImageCatalog } from './catalog.js';

/** A file's content in a catalog: literal text, or one of the built-in texts below. */
export type FileSource = string | { builtin: string };

/** A behaviour entry as a catalog writes it. */
export interface BehaviourSpec {
  entrypoint?: string[] | null;
  cmd?: string[] | null;
  workingDir?: string | null;
  env?: Record<string, string | null>;
  files?: Record<string, FileSource | null>;
  ports?: number[] | null;
  /** Overrides for tags matching the key: an exact tag or a glob with `*` (`*-alpine`, `1.2*`). More specific
   * keys (exact first, then longer patterns) apply last. */
  byTag?: Record<string, BehaviourSpec>;
}

/** What a container of a given image runs with (resolved: files are text). */
export interface ImageBehaviour {
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  env?: Record<string, string>;
  files?: Record<string, string>;
  ports?: number[];
}

/** Texts a catalog can reference with `{ "builtin": NAME }`. */
export const BUILTIN_FILES: Readonly<Record<string, string>> = {
  'nginx-index': NGINX_INDEX,
  'httpd-index': HTTPD_INDEX,
};

function mergeMap<T>(a: Record<string, T | null> | undefined, b: Record<string, T | null> | undefined): Record<string, T | null> | undefined {
  if (!b) return a;
  return { ...(a ?? {}), ...b };
}

/** `b` over `a`: fields b sets replace a's; env, files and byTag merge key by key. */
export function mergeBehaviour(a: BehaviourSpec | undefined, b: BehaviourSpec | undefined): BehaviourSpec | undefined {
  if (!b) return a;
  if (!a) return b;
  const out: BehaviourSpec = { ...a };
  for (const k of ['entrypoint', 'cmd', 'workingDir', 'ports'] as const) if (b[k] !== undefined) (out as Record<string, unknown>)[k] = b[k];
  const env = mergeMap(a.env, b.env);
  if (env) out.env = env;
  const files = mergeMap(a.files, b.files);
  if (files) out.files = files;
  if (b.byTag) {
    const byTag: Record<string, BehaviourSpec> = { ...(a.byTag ?? {}) };
    for (const [t, spec] of Object.entries(b.byTag)) byTag[t] = mergeBehaviour(byTag[t], spec) as BehaviourSpec;
    out.byTag = byTag;
  }
  return out;
}

function globMatch(pattern: string, tag: string): boolean {
  if (!pattern.includes('*')) return pattern === tag;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(tag);
}

/** The behaviour of `tag`: the repository's entry with the matching per-tag overrides applied, files resolved. */
export function resolveBehaviour(spec: BehaviourSpec | undefined, tag: string): ImageBehaviour | undefined {
  if (!spec) return undefined;
  let merged: BehaviourSpec = { ...spec };
  delete merged.byTag;
  const matching = Object.keys(spec.byTag ?? {})
    .filter((k) => globMatch(k, tag))
    // Patterns before exact tags; among patterns, the longer (more specific) one applies last.
    .sort((x, y) => Number(!x.includes('*')) - Number(!y.includes('*')) || x.length - y.length);
  for (const k of matching) merged = mergeBehaviour(merged, { ...(spec.byTag?.[k] ?? {}), byTag: undefined } as BehaviourSpec) as BehaviourSpec;
  const out: ImageBehaviour = {};
  if (merged.entrypoint) out.entrypoint = [...merged.entrypoint];
  if (merged.cmd) out.cmd = [...merged.cmd];
  if (merged.workingDir) out.workingDir = merged.workingDir;
  if (merged.ports) out.ports = [...merged.ports];
  const env = Object.entries(merged.env ?? {}).filter((e): e is [string, string] => e[1] !== null);
  if (env.length) out.env = Object.fromEntries(env);
  const files: Record<string, string> = {};
  for (const [path, src] of Object.entries(merged.files ?? {})) {
    if (src === null || src === undefined) continue;
    files[path] = typeof src === 'string' ? src : (BUILTIN_FILES[src.builtin] ?? '');
  }
  if (Object.keys(files).length) out.files = files;
  return out;
}

// ---- validation (catalog files and the ConfigMap are user input) ----

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStrArray = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

/** Problems in a behaviour entry, each as `path: what is wrong`. */
export function validateBehaviour(x: unknown, at: string, errs: string[] = []): string[] {
  if (!isObj(x)) {
    errs.push(`${at}: must be an object`);
    return errs;
  }
  const known = new Set(['entrypoint', 'cmd', 'workingDir', 'env', 'files', 'ports', 'byTag']);
  for (const k of Object.keys(x)) if (!known.has(k)) errs.push(`${at}.${k}: unknown field (expected one of ${[...known].join(', ')})`);
  for (const k of ['entrypoint', 'cmd'] as const) if (x[k] !== undefined && x[k] !== null && !isStrArray(x[k])) errs.push(`${at}.${k}: must be a list of strings`);
  if (x.workingDir !== undefined && x.workingDir !== null && (typeof x.workingDir !== 'string' || !x.workingDir.startsWith('/'))) errs.push(`${at}.workingDir: must be an absolute path`);
  if (x.ports !== undefined && x.ports !== null && !(Array.isArray(x.ports) && x.ports.every((p) => Number.isInteger(p) && p > 0 && p < 65536))) errs.push(`${at}.ports: must be a list of port numbers`);
  if (x.env !== undefined) {
    if (!isObj(x.env)) errs.push(`${at}.env: must be a map of strings`);
    else for (const [k, v] of Object.entries(x.env)) if (v !== null && typeof v !== 'string') errs.push(`${at}.env.${k}: must be a string (quote numbers)`);
  }
  if (x.files !== undefined) {
    if (!isObj(x.files)) errs.push(`${at}.files: must be a map from absolute path to content`);
    else
      for (const [p, v] of Object.entries(x.files)) {
        if (!p.startsWith('/')) errs.push(`${at}.files.${p}: path must be absolute`);
        if (v === null || typeof v === 'string') continue;
        if (isObj(v) && typeof v.builtin === 'string' && Object.keys(v).length === 1) {
          if (!(v.builtin in BUILTIN_FILES)) errs.push(`${at}.files.${p}: unknown builtin ${JSON.stringify(v.builtin)} (known: ${Object.keys(BUILTIN_FILES).join(', ')})`);
        } else errs.push(`${at}.files.${p}: must be text or {builtin: NAME}`);
      }
  }
  if (x.byTag !== undefined) {
    if (!isObj(x.byTag)) errs.push(`${at}.byTag: must be a map from tag (or glob) to behaviour`);
    else
      for (const [t, spec] of Object.entries(x.byTag)) {
        if (isObj(spec) && spec.byTag !== undefined) errs.push(`${at}.byTag.${t}.byTag: not allowed inside byTag`);
        validateBehaviour(spec, `${at}.byTag.${t}`, errs);
      }
  }
  return errs;
}

let builtinCatalog: ImageCatalog | undefined;

/** The behaviour the built-in catalog alone gives an image; the runtime prefers `ImageInfo.behaviour`, which
 * includes the user's layers. */
export function imageBehaviour(repository: string, tag = 'latest'): ImageBehaviour | undefined {
  builtinCatalog ??= new ImageCatalog();
  return resolveBehaviour(builtinCatalog.behaviourOf(repository), tag);
}
