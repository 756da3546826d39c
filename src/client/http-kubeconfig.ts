// Reads the connection settings of one kubeconfig context: the cluster's address and trust, and the
// user's credentials, each either inline (`*-data`, base64) or as a file path. Relative paths are taken
// from the kubeconfig's own directory, as kubectl does.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import type { HttpClientOptions } from './http.js';

type Entry = Record<string, unknown>;

export interface KubeconfigConnection extends HttpClientOptions {
  /** The context's default namespace, when it names one. */
  namespace?: string;
}

export async function readKubeconfig(file: string, context?: string): Promise<KubeconfigConnection> {
  const cfg = parse(await readFile(file, 'utf8')) as unknown;
  if (!isEntry(cfg)) throw new Error(`kubeconfig ${file} is not a YAML mapping`);
  const ctxName = context ?? str(cfg['current-context']);
  if (!ctxName) throw new Error(`kubeconfig ${file} has no current-context; name a context`);
  const ctx = named(cfg.contexts, ctxName, 'context');
  if (!ctx) throw new Error(`context "${ctxName}" not found in kubeconfig ${file}`);
  const clusterName = str(ctx.cluster);
  const cluster = clusterName ? named(cfg.clusters, clusterName, 'cluster') : undefined;
  if (!cluster) throw new Error(`cluster "${clusterName ?? ''}" of context "${ctxName}" not found in kubeconfig ${file}`);
  const server = str(cluster.server);
  if (!server) throw new Error(`cluster "${clusterName}" in kubeconfig ${file} has no server`);
  // A context without a user is legal: the client goes anonymous.
  const userName = str(ctx.user);
  const user = (userName ? named(cfg.users, userName, 'user') : undefined) ?? {};

  const base = dirname(resolve(file));
  const out: KubeconfigConnection = { server };
  const ca = await material(cluster, 'certificate-authority', base);
  if (ca) out.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) out.insecureSkipTLSVerify = true;
  const cert = await material(user, 'client-certificate', base);
  if (cert) out.cert = cert;
  const key = await material(user, 'client-key', base);
  if (key) out.key = key;
  const token = str(user.token) ?? (str(user.tokenFile) ? (await readFile(at(base, str(user.tokenFile) as string), 'utf8')).trim() : undefined);
  if (token) out.token = token;
  const ns = str(ctx.namespace);
  if (ns) out.namespace = ns;
  return out;
}

// `<field>-data` wins over `<field>` when both are present, as in client-go.
async function material(entry: Entry, field: string, base: string): Promise<string | undefined> {
  const inline = str(entry[`${field}-data`]);
  if (inline) return Buffer.from(inline, 'base64').toString('utf8');
  const path = str(entry[field]);
  return path ? readFile(at(base, path), 'utf8') : undefined;
}

function at(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

function named(list: unknown, name: string, field: string): Entry | undefined {
  if (!Array.isArray(list)) return undefined;
  const hit = list.find((e) => isEntry(e) && e.name === name) as Entry | undefined;
  const inner = hit?.[field];
  return isEntry(inner) ? inner : hit ? {} : undefined;
}

function isEntry(v: unknown): v is Entry {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
