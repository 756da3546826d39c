// `kubeloop node ...`: conveniences for simulated nodes that go through the API like kubectl does, so they
// work against any running kubeloop and leave nothing kubectl could not have done itself.
import { Command, Option } from 'commander';
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { nodeDescriptor } from '../api/kinds/node.js';
import type { KubeObject } from '../api/types.js';
import type { Client } from '../client/client.js';
import { httpClientFromKubeconfig } from '../client/http.js';
import { kubeconfigPathForMerge } from './kubeconfig.js';
import { quantityOf } from '../api/kinds/podspec-quantities.js';
import { DEFAULT_ANNOTATIONS, defaultLabels, machineResources } from '../kubelet/node/node-status.js';
import { KUBELET_STATE_ANNOTATION, KUBELET_STOPPED, kubeletStopped } from '../kubelet/node/power.js';

export interface ConnectionOptions {
  kubeconfig?: string;
  context?: string;
}

export interface AddOptions {
  labels?: Record<string, string>;
  taints?: Taint[];
  /** Machine size; left out, the simulated kubelet reports its default 4 CPU, 16 GiB, 110-pod machine. */
  cpu?: string;
  memory?: string;
  pods?: string;
}

type Print = (line: string) => void;

export async function connect(opts: ConnectionOptions): Promise<Client> {
  return httpClientFromKubeconfig(opts.kubeconfig ?? kubeconfigPathForMerge(), opts.context ?? 'kubeloop');
}

function code(err: unknown): number | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'number' ? c : undefined;
}

/** API failures in the words a user expects; anything else (an unreachable server) passes through. */
async function onNode<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (code(err) === 404) throw new Error(`node "${name}" not found`);
    if (code(err) === 409) throw new Error(`node "${name}" already exists`);
    throw err;
  }
}

/** `k=v,k2=v2` into labels. */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`invalid label "${part}": expected key=value`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** `key[=value]:Effect,...` into taints, as `kubectl taint` writes them. */
export function parseTaints(text: string): Taint[] {
  return text
    .split(',')
    .filter(Boolean)
    .map((part) => {
      const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(part);
      if (!m) throw new Error(`invalid taint "${part}": expected key[=value]:NoSchedule|PreferNoSchedule|NoExecute`);
      const taint: Taint = { key: m[1] as string, effect: m[3] as string };
      if (m[2]) taint.value = m[2];
      return taint;
    });
}

/** A `--cpu`/`--memory` value: a positive Kubernetes quantity. */
export function parseQuantity(flag: string): (text: string) => string {
  return (text) => {
    const q = quantityOf(text);
    if (!q || !(Number(q.milliValue()) > 0)) throw new Error(`invalid ${flag} "${text}": expected a positive quantity such as ${flag === 'cpu' ? '8 or 500m' : '16Gi'}`);
    return text;
  };
}

export function parsePods(text: string): string {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`invalid pods "${text}": expected a positive whole number`);
  return String(Number(text));
}

/**
 * The Node a kubelet would register (labels, annotation), left for the simulated kubelet to fill in. A sized
 * machine carries its capacity and allocatable in the status (allowed when a Node is created, as a kubelet's
 * registration does); the simulated kubelet keeps reporting them.
 */
export function nodeObject(name: string, opts: AddOptions = {}): Node {
  const node: { -readonly [K in keyof Node]: Node[K] } = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { ...(opts.labels ?? {}), ...defaultLabels(name) }, annotations: { ...DEFAULT_ANNOTATIONS } },
    spec: {},
  };
  if (opts.taints?.length) node.spec = { taints: opts.taints };
  if (opts.cpu !== undefined || opts.memory !== undefined || opts.pods !== undefined) {
    const size: { cpu?: string; memory?: string; pods?: string } = {};
    if (opts.cpu !== undefined) size.cpu = opts.cpu;
    if (opts.memory !== undefined) size.memory = opts.memory;
    if (opts.pods !== undefined) size.pods = opts.pods;
    node.status = machineResources(size);
  }
  return node;
}

export async function addNode(client: Client, name: string, opts: AddOptions, print: Print): Promise<void> {
  await onNode(name, () => client.create(nodeDescriptor, undefined, nodeObject(name, opts) as unknown as KubeObject));
  print(`node/${name} created`);
}

export async function removeNode(client: Client, name: string, print: Print): Promise<void> {
  await onNode(name, () => client.delete(nodeDescriptor, undefined, name));
  print(`node/${name} deleted`);
}

export async function setKubelet(client: Client, name: string, running: boolean, print: Print): Promise<void> {
  const current = (await onNode(name, () => client.get(nodeDescriptor, undefined, name))) as unknown as Node;
  if (kubeletStopped(current) === !running) {
    print(`node/${name} kubelet already ${running ? 'running' : 'stopped'}`);
    return;
  }
  const value = running ? null : KUBELET_STOPPED;
  await onNode(name, () => client.patch(nodeDescriptor, undefined, name, 'merge', { metadata: { annotations: { [KUBELET_STATE_ANNOTATION]: value } } }));
  print(`node/${name} kubelet ${running ? 'started' : 'stopped'}`);
}

function readiness(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const text = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
  return node.spec?.unschedulable ? `${text},SchedulingDisabled` : text;
}

export async function listNodes(client: Client, print: Print): Promise<void> {
  const list = await client.list(nodeDescriptor, undefined);
  const rows = (list.items as unknown as Node[])
    .map((n) => [n.metadata?.name ?? '', readiness(n), kubeletStopped(n) ? 'stopped' : 'running', (n.spec?.taints ?? []).map(taintText).join(',') || '<none>'])
    .sort((a, b) => (a[0] as string).localeCompare(b[0] as string, undefined, { numeric: true }));
  if (rows.length === 0) {
    print('No nodes found.');
    return;
  }
  const table = [['NAME', 'STATUS', 'KUBELET', 'TAINTS'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  for (const r of table) print(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd((widths[i] as number) + 3))).join(''));
}

function taintText(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

// ---- the command line ----

function withConnection(cmd: Command): Command {
  return cmd
    .addOption(new Option('--kubeconfig <file>', 'kubeconfig to reach kubeloop through (default $KUBECONFIG or ~/.kube/config)'))
    .addOption(new Option('--context <name>', 'kubeconfig context').default('kubeloop'));
}

const out: Print = (line) => process.stdout.write(`${line}\n`);

/** `kubeloop node add|rm|stop|start|ls`. */
export function nodeCommand(): Command {
  const node = new Command('node').description('add, remove, stop and start simulated nodes through the API').exitOverride();
  withConnection(node.command('add <name>').description('create a Node; a simulated kubelet takes it over').exitOverride())
    .addOption(new Option('--labels <k=v,...>', 'extra labels').argParser(parseLabels))
    .addOption(new Option('--taints <k=v:Effect,...>', 'taints').argParser(parseTaints))
    .addOption(new Option('--cpu <n>', 'CPUs of the machine (default 4)').argParser(parseQuantity('cpu')))
    .addOption(new Option('--memory <q>', 'memory of the machine, e.g. 16Gi (default 16393916Ki)').argParser(parseQuantity('memory')))
    .addOption(new Option('--pods <n>', 'pods the node takes (default 110)').argParser(parsePods))
    .action(async (name: string, o: ConnectionOptions & AddOptions) => addNode(await connect(o), name, o, out));
  withConnection(node.command('rm <name>').alias('delete').description('delete a Node (its pods go with it)').exitOverride()).action(
    async (name: string, o: ConnectionOptions) => removeNode(await connect(o), name, out),
  );
  withConnection(node.command('stop <name>').description("stop a node's kubelet, as if the machine died: heartbeats stop").exitOverride()).action(
    async (name: string, o: ConnectionOptions) => setKubelet(await connect(o), name, false, out),
  );
  withConnection(node.command('start <name>').description("start a stopped node's kubelet again").exitOverride()).action(
    async (name: string, o: ConnectionOptions) => setKubelet(await connect(o), name, true, out),
  );
  withConnection(node.command('ls').alias('list').description('list nodes with their kubelet state').exitOverride()).action(
    async (o: ConnectionOptions) => listNodes(await connect(o), out),
  );
  return node;
}
