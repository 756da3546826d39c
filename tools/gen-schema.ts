// Generates src/api/schema/catalog.json: the field catalog of every Kubernetes type that kubeloop serves,
// reachable from the top-level kinds listed below.
//
// Field names and JSON types come from the `attributeTypeMap` of @kubernetes/client-node's generated models
// (they track the current Kubernetes release). That generator drops two facts we need, so a second source
// fills them in: the package of each type (client-node names `V1Container` without saying it lives in
// core/v1) and which string fields are resource quantities. kubernetes-types' declaration files carry both.
//
// Run: node --import tsx tools/gen-schema.ts   (deterministic; commit the output)
//      node --import tsx tools/gen-schema.ts --check   (exit 1 when the committed catalog is stale)
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'node_modules/@kubernetes/client-node/dist/gen/models');
const typesDir = join(root, 'node_modules/kubernetes-types');
const outFile = join(root, 'src/api/schema/catalog.json');
const descriptionsFile = join(root, 'src/api/schema/descriptions.json');

/** The kinds kubeloop serves, by OpenAPI name, with their group/version/kind; `list` adds `<Kind>List`. */
const KINDS: Array<{ name: string; group: string; version: string; kind: string; list: boolean }> = [
  ...['Namespace', 'Pod', 'Node', 'Service', 'Endpoints', 'PersistentVolumeClaim', 'PersistentVolume', 'Event',
    'ConfigMap', 'Secret', 'ServiceAccount', 'ReplicationController', 'PodTemplate', 'ResourceQuota', 'LimitRange'].map((k) => ({
    name: `io.k8s.api.core.v1.${k}`, group: '', version: 'v1', kind: k, list: true,
  })),
  { name: 'io.k8s.api.core.v1.Binding', group: '', version: 'v1', kind: 'Binding', list: false },
  ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'].map((k) => ({
    name: `io.k8s.api.apps.v1.${k}`, group: 'apps', version: 'v1', kind: k, list: true,
  })),
  { name: 'io.k8s.api.batch.v1.Job', group: 'batch', version: 'v1', kind: 'Job', list: true },
  { name: 'io.k8s.api.batch.v1.CronJob', group: 'batch', version: 'v1', kind: 'CronJob', list: true },
  { name: 'io.k8s.api.policy.v1.PodDisruptionBudget', group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', list: true },
  { name: 'io.k8s.api.policy.v1.Eviction', group: 'policy', version: 'v1', kind: 'Eviction', list: false },
  { name: 'io.k8s.api.coordination.v1.Lease', group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', list: true },
  { name: 'io.k8s.api.storage.v1.StorageClass', group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', list: true },
  { name: 'io.k8s.api.events.v1.Event', group: 'events.k8s.io', version: 'v1', kind: 'Event', list: true },
  { name: 'io.k8s.api.discovery.v1.EndpointSlice', group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', list: true },
  { name: 'io.k8s.api.autoscaling.v1.Scale', group: 'autoscaling', version: 'v1', kind: 'Scale', list: false },
  { name: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition', group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', list: true },
];

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
/** Meta kinds every group version speaks (kube-apiserver lists them under each group it serves). */
const SHARED_META_KINDS = ['DeleteOptions', 'WatchEvent'];
const EXTRA_ROOTS = [`${META}.DeleteOptions`, `${META}.Status`, `${META}.WatchEvent`, `${META}.ListMeta`, `${META}.APIResourceList`];

/** kubernetes-types file (without .d.ts) → OpenAPI package prefix. */
function packageOfTypesFile(rel: string): string {
  const special: Record<string, string> = {
    'meta/v1': META,
    'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
    runtime: 'io.k8s.apimachinery.pkg.runtime',
    'util/intstr': 'io.k8s.apimachinery.pkg.util.intstr',
    version: 'io.k8s.apimachinery.pkg.version',
    'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
  };
  if (special[rel]) return special[rel]!;
  const [group, version] = rel.split('/');
  return `io.k8s.api.${group}.${version}`;
}

interface DeclaredType { pkg: string; fields: Map<string, string>; doc?: string; docs: Map<string, string> }

/** The text of a JSDoc block (`/** … *\/`, one line or many), joined the way the OpenAPI description reads. */
function docText(block: string): string {
  return block
    .replace(/^\/\*\*\s?/, '')
    .replace(/\s*\*\/$/, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .replace(/\\"/g, '"')
    .trim();
}

/** Reads every `export interface` of kubernetes-types: its package and the declared TypeScript type of each field. */
function readDeclarations(): Map<string, DeclaredType[]> {
  const byName = new Map<string, DeclaredType[]>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.d.ts')) {
        const rel = relative(typesDir, full).replace(/\.d\.ts$/, '');
        const pkg = packageOfTypesFile(rel);
        let current: DeclaredType | undefined;
        // Map types span lines (`x?: {` … `};`); join them so each field is one line.
        const text = readFileSync(full, 'utf8').replace(/\{\n\s+(\[\w+: string\]: [^;\n]+;)\n\s+\}/g, '{ $1 }');
        let doc: string | undefined;
        let block: string[] | undefined;
        for (const line of text.split('\n')) {
          if (block) {
            block.push(line);
            if (line.includes('*/')) { doc = docText(block.join('\n')); block = undefined; }
            continue;
          }
          const comment = /^\s*(\/\*\*.*\*\/)\s*$/.exec(line);
          if (comment) { doc = docText(comment[1]!); continue; }
          if (/^\s*\/\*\*/.test(line)) { block = [line.trim()]; continue; }
          const start = /^export interface (\w+) \{/.exec(line);
          if (start) {
            current = { pkg, fields: new Map(), docs: new Map(), ...(doc ? { doc } : {}) };
            doc = undefined;
            const list = byName.get(start[1]!) ?? [];
            list.push(current);
            byName.set(start[1]!, list);
            continue;
          }
          if (line.startsWith('}')) { current = undefined; doc = undefined; continue; }
          const field = /^ {4}(?:readonly )?"?([\w$-]+)"?\??: (.+);$/.exec(line);
          if (current && field) {
            current.fields.set(field[1]!, field[2]!);
            if (doc) current.docs.set(field[1]!, doc);
          }
          if (!/^\s*$/.test(line)) doc = undefined;
        }
      }
    }
  };
  walk(typesDir);
  return byName;
}

interface Attr { name: string; baseName: string; type: string; format: string }
interface Model { className: string; attrs: Attr[]; required: Set<string>; doc?: string; docs: Map<string, string> }

/** Class and field descriptions of a client-node model declaration file. */
function modelDocs(dts: string): { doc?: string; docs: Map<string, string> } {
  const docs = new Map<string, string>();
  const cls = /(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)\s*export declare class/.exec(dts);
  for (const m of dts.matchAll(/(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)\s*\n {4}'([^']+)'\??: /g)) docs.set(m[2]!, docText(m[1]!));
  return cls ? { doc: docText(cls[1]!), docs } : { docs };
}

async function readModels(): Promise<Map<string, Model>> {
  const models = new Map<string, Model>();
  const files = readdirSync(modelsDir).filter((f) => f.endsWith('.js')).sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(modelsDir, file)).href)) as Record<string, unknown>;
    // Index files re-export every model; take each class from its own file only.
    const className = file.replace(/\.js$/, '');
    {
      const cls = mod[className];
      const attrs = (cls as { attributeTypeMap?: Attr[] } | undefined)?.attributeTypeMap;
      if (!Array.isArray(attrs)) continue;
      // Required fields are the ones the declaration file writes without `?`.
      const required = new Set<string>();
      const dts = join(modelsDir, file.replace(/\.js$/, '.d.ts'));
      let docs: ReturnType<typeof modelDocs> = { docs: new Map() };
      if (existsSync(dts)) {
        const text = readFileSync(dts, 'utf8');
        for (const m of text.matchAll(/^ {4}'([^']+)': /gm)) required.add(m[1]!);
        docs = modelDocs(text);
      }
      models.set(className, { className, attrs, required, ...docs });
    }
  }
  return models;
}

/** `CoreV1Event` → { groupHint: 'core', version: 'v1', short: 'Event' }; client-node prefixes a group only on name clashes. */
function splitClassName(className: string): { groupHint?: string; version: string; short: string } | undefined {
  const m = /^([A-Z][a-z]+)?V(\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(className);
  if (!m) return undefined;
  return { groupHint: m[1]?.toLowerCase(), version: `v${m[2]}`, short: m[3]! };
}

async function main(): Promise<void> {
  const declarations = readDeclarations();
  const models = await readModels();

  /** Resolves a client-node class to its OpenAPI name; `parentPkg` settles types kubernetes-types does not know yet. */
  const resolved = new Map<string, string>();
  const resolveClass = (className: string, parentPkg?: string): string => {
    const hit = resolved.get(className);
    if (hit) return hit;
    const parts = splitClassName(className);
    if (!parts) throw new Error(`cannot split class name ${className}`);
    let candidates = (declarations.get(parts.short) ?? []).map((d) => d.pkg).filter((p) => p.endsWith(`.${parts.version}`));
    if (parts.groupHint) candidates = candidates.filter((p) => p.split('.').at(-2) === parts.groupHint);
    candidates = [...new Set(candidates)];
    let pkg: string;
    if (candidates.length === 1) pkg = candidates[0]!;
    else if (candidates.length === 0 && parentPkg && parentPkg.endsWith(`.${parts.version}`)) pkg = parentPkg;
    else if (candidates.length === 0 && parts.groupHint) pkg = `io.k8s.api.${parts.groupHint}.${parts.version}`;
    else throw new Error(`ambiguous package for ${className}: [${candidates.join(', ')}] (parent ${parentPkg ?? '-'})`);
    const name = `${pkg}.${parts.short}`;
    resolved.set(className, name);
    return name;
  };
  const classOf = new Map<string, string>();
  for (const className of [...models.keys()].sort()) {
    try {
      classOf.set(resolveClass(className), className);
    } catch {
      // Types without a unique declared package are resolved later from the type that refers to them.
    }
  }

  const declaredField = (typeName: string, field: string): string | undefined => {
    const short = typeName.slice(typeName.lastIndexOf('.') + 1);
    const pkg = typeName.slice(0, typeName.lastIndexOf('.'));
    return declarations.get(short)?.find((d) => d.pkg === pkg)?.fields.get(field);
  };

  const declaredType = (typeName: string): DeclaredType | undefined => {
    const short = typeName.slice(typeName.lastIndexOf('.') + 1);
    const pkg = typeName.slice(0, typeName.lastIndexOf('.'));
    return declarations.get(short)?.find((d) => d.pkg === pkg);
  };
  const descriptions: Record<string, Record<string, string>> = {};

  const types = new Map<string, { fields: Array<[string, string]>; required: string[] }>();
  const queue: Array<{ name: string; className: string }> = [];
  const enqueue = (name: string, className: string): void => {
    if (types.has(name) || queue.some((q) => q.name === name)) return;
    queue.push({ name, className });
  };
  const rootNames = [...KINDS.flatMap((k) => (k.list ? [k.name, `${k.name}List`] : [k.name])), ...EXTRA_ROOTS];
  for (const name of rootNames) {
    const className = classOf.get(name);
    if (!className) throw new Error(`no client-node model for ${name}`);
    enqueue(name, className);
  }

  const mismatches: string[] = [];
  while (queue.length > 0) {
    const { name, className } = queue.shift()!;
    const model = models.get(className)!;
    const pkg = name.slice(0, name.lastIndexOf('.'));
    const fields: Array<[string, string]> = [];
    for (const attr of model.attrs) {
      const declared = declaredField(name, attr.baseName);
      const token = fieldToken(attr.type, attr.format, declared, (cls) => {
        const ref = resolveClass(cls, pkg);
        enqueue(ref, cls);
        return ref;
      });
      if (declared && declared.includes('Quantity') !== token.includes('quantity')) mismatches.push(`${name}.${attr.baseName}: ${declared} vs ${token}`);
      fields.push([attr.baseName, token]);
    }
    const required = model.attrs.filter((a) => model.required.has(a.name)).map((a) => a.baseName);
    types.set(name, { fields, required });
    // kubernetes-types documents fields that refer to other types too; client-node's generator drops those.
    const decl = declaredType(name);
    const docs: Record<string, string> = {};
    const typeDoc = decl?.doc ?? model.doc;
    if (typeDoc) docs[''] = typeDoc;
    for (const attr of model.attrs) {
      const d = decl?.docs.get(attr.baseName) ?? model.docs.get(attr.name) ?? model.docs.get(attr.baseName);
      if (d) docs[attr.baseName] = d;
    }
    descriptions[name] = docs;
  }
  if (mismatches.length) throw new Error(`quantity detection disagrees:\n${mismatches.join('\n')}`);

  // Quantity fields of types newer than kubernetes-types cannot be detected; list them here when found.
  writeCatalog(types);
  writeDescriptions(descriptions);
}

/** Field documentation for `kubectl explain`, kept apart from the catalog so it is parsed only when asked for. */
function writeDescriptions(descriptions: Record<string, Record<string, string>>): void {
  const names = Object.keys(descriptions).sort();
  const lines = ['{', ...names.map((n, i) => `${JSON.stringify(n)}:${JSON.stringify(descriptions[n])}${i < names.length - 1 ? ',' : ''}`), '}'];
  const text = `${lines.join('\n')}\n`;
  if (process.argv.includes('--check')) {
    const current = existsSync(descriptionsFile) ? readFileSync(descriptionsFile, 'utf8') : '';
    if (current !== text) {
      console.error(`${relative(root, descriptionsFile)} is stale: run node --import tsx tools/gen-schema.ts`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(descriptionsFile, text);
  console.log(`wrote ${relative(root, descriptionsFile)}: ${names.length} types`);
}

/**
 * Encodes a field type as a compact token: a primitive (`string`, `byte`, `int32`, `int64`, `double`, `boolean`,
 * `int-or-string`, `quantity`, `time`, `microtime`, `any` (RawExtension), `fields-v1`), a type name, or `[]T` / `{}T` for lists and string maps.
 */
function fieldToken(type: string, format: string, declared: string | undefined, ref: (cls: string) => string): string {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    const inner = declared ? /^Array<(.+)>$/.exec(declared)?.[1] ?? declared.replace(/\[\]$/, '') : undefined;
    return `[]${fieldToken(arr[1]!, format, inner, ref)}`;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    const inner = declared ? /^\{\s*\[\w+: string\]: (.+?);?\s*\}$/.exec(declared)?.[1] : undefined;
    return `{}${fieldToken(map[1]!, format, inner, ref)}`;
  }
  switch (type) {
    case 'string':
      if (format === 'byte') return 'byte';
      if (declared === 'Quantity') return 'quantity';
      return 'string';
    case 'number':
      if (format === 'int32' || format === 'int64' || format === 'double') return format;
      throw new Error(`number without format`);
    case 'boolean':
      return 'boolean';
    case 'Date':
      return 'time';
    case 'V1MicroTime':
      return 'microtime';
    case 'IntOrString':
      return 'int-or-string';
    case 'any':
      // Both are free-form JSON; the name only matters for the OpenAPI reference.
      return declared === 'FieldsV1' ? 'fields-v1' : 'any';
    default:
      if (/^[A-Z]\w*$/.test(type)) return ref(type);
      throw new Error(`unhandled attribute type ${type}`);
  }
}

/** Writes types grouped by package; a reference inside its own package is written by its short name. */
function writeCatalog(types: Map<string, { fields: Array<[string, string]>; required: string[] }>): void {
  const packages: Record<string, Record<string, { f: Record<string, string>; r?: string[] }>> = {};
  for (const name of [...types.keys()].sort()) {
    const { fields, required } = types.get(name)!;
    const pkg = name.slice(0, name.lastIndexOf('.'));
    const short = name.slice(name.lastIndexOf('.') + 1);
    const f: Record<string, string> = {};
    for (const [field, token] of fields) {
      f[field] = token.replace(/^((?:\[\]|\{\})*)(.+)$/, (_all, prefix: string, base: string) =>
        prefix + (base.startsWith(`${pkg}.`) && !base.slice(pkg.length + 1).includes('.') ? base.slice(pkg.length + 1) : base));
    }
    (packages[pkg] ??= {})[short] = required.length ? { f, r: required } : { f };
  }
  const kinds: Record<string, Array<[string, string, string]>> = {};
  const groupVersions = [...new Set(KINDS.map((k) => `${k.group}/${k.version}`))].sort();
  for (const k of KINDS) {
    kinds[k.name] = [[k.group, k.version, k.kind]];
    if (k.list) kinds[`${k.name}List`] = [[k.group, k.version, `${k.kind}List`]];
  }
  kinds[`${META}.Status`] = [['', 'v1', 'Status']];
  kinds[`${META}.APIResourceList`] = [['', 'v1', 'APIResourceList']];
  for (const kind of SHARED_META_KINDS) {
    kinds[`${META}.${kind}`] = groupVersions.map((gv) => {
      const [group, version] = gv.split('/');
      return [group!, version!, kind] as [string, string, string];
    });
  }
  const sortedKinds = Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const sortedPackages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  // One type per line: small diffs when Kubernetes adds a field, and still compact.
  const lines: string[] = ['{', `"kinds":${JSON.stringify(sortedKinds)},`, '"packages":{'];
  const pkgNames = Object.keys(sortedPackages);
  pkgNames.forEach((pkg, i) => {
    lines.push(`${JSON.stringify(pkg)}:{`);
    const entries = Object.entries(sortedPackages[pkg]!);
    entries.forEach(([short, body], j) => lines.push(`${JSON.stringify(short)}:${JSON.stringify(body)}${j < entries.length - 1 ? ',' : ''}`));
    lines.push(`}${i < pkgNames.length - 1 ? ',' : ''}`);
  });
  lines.push('}', '}');
  const text = `${lines.join('\n')}\n`;
  if (process.argv.includes('--check')) {
    const current = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
    if (current !== text) {
      console.error(`${relative(root, outFile)} is stale: run node --import tsx tools/gen-schema.ts`);
      process.exit(1);
    }
    console.log(`${relative(root, outFile)} is up to date`);
    return;
  }
  writeFileSync(outFile, text);
  const count = Object.values(sortedPackages).reduce((n, p) => n + Object.keys(p).length, 0);
  console.log(`wrote ${relative(root, outFile)}: ${count} types in ${pkgNames.length} packages`);
}

await main();
