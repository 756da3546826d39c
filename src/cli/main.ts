#!/usr/bin/env node
// kubeloop's command line.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { dashboardCommand } from './dashboard.js';
import { nodeCommand } from './node.js';
import { runUp, type UpOptions } from './up.js';
import { parseGoDuration } from './go-duration.js';
import { DEFAULT_EVENT_TTL_MS } from '../apiserver/event-ttl.js';
import { DEFAULT_COMPACTION_INTERVAL_MS } from '../store/etcd.js';
import { DEFAULT_HISTORY_EVENTS } from '../store/memory.js';

function intArg(name: string, min: number, max: number) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be an integer between ${min} and ${max}`);
    const n = Number(v);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer between ${min} and ${max}`);
    return n;
  };
}

function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number greater than 0`);
    return n;
  };
}

function durationArg(name: string) {
  return (v: string): number => {
    const ms = parseGoDuration(v);
    if (ms === undefined || ms <= 0) throw new InvalidArgumentError(`${name} must be a positive duration such as 90s, 10m or 1h`);
    return ms;
  };
}

/** A duration that may be 0 (turns the thing off). */
function durationOrZeroArg(name: string) {
  return (v: string): number => {
    const ms = parseGoDuration(v);
    if (ms === undefined || ms < 0) throw new InvalidArgumentError(`${name} must be a duration such as 90s, 10m or 1h (0 turns it off)`);
    return ms;
  };
}

export function buildCli(): Command {
  const program = new Command('kubeloop');
  program.exitOverride();
  program
    .description('A Kubernetes control plane in one process: the real kubectl talks to it; nodes are simulated.')
    .version('0.1.0')
    .showHelpAfterError('(run kubeloop --help for usage)');
  program
    .command('up')
    .description('start the control plane and serve the Kubernetes API')
    .exitOverride()
    .addOption(new Option('--port <n>', 'port to serve on (0 picks a free port)').default(6443).argParser(intArg('--port', 0, 65535)))
    .addOption(new Option('--address <ip>', 'address to listen on').default('127.0.0.1'))
    .addOption(new Option('--data-dir <dir>', 'where kubeloop keeps its state (default ~/.kubeloop)'))
    .addOption(new Option('--in-memory', 'keep nothing on disk'))
    .addOption(new Option('--kubeconfig <file>', 'write a standalone kubeconfig here instead of merging into $KUBECONFIG or ~/.kube/config'))
    .addOption(new Option('--nodes <n>', 'simulated nodes created on first start').default(3).argParser(intArg('--nodes', 0, 100000)))
    .addOption(new Option('--timing <profile>', 'how long simulated image pulls and container starts take').choices(['realistic', 'instant']).default('realistic'))
    .addOption(new Option('--seed <n>', 'seed of the simulation\'s random choices (timing jitter)').default(1).argParser(intArg('--seed', 0, 2 ** 31 - 1)))
    .addOption(new Option('--images <file>', 'an image catalog (JSON, the shape of src/kubelet/images/catalog.json) merged over the built-in one'))
    .addOption(new Option('--strict-images', 'treat images missing from the catalog as not existing (ErrImagePull)'))
    .addOption(new Option('--time-scale <factor>', 'run cluster time this many times faster').argParser(positiveNumber('--time-scale')))
    .addOption(
      new Option('--watch-history <events>', 'how many past changes a watch can resume through before it gets 410 Gone')
        .default(DEFAULT_HISTORY_EVENTS)
        .argParser(intArg('--watch-history', 1, 100000000)),
    )
    .addOption(new Option('--insecure-http', 'serve plain HTTP without authentication (loopback addresses only)'))
    .addOption(new Option('--etcd-servers <urls>', 'keep objects in etcd v3 at these comma-separated client URLs (several kubeloop processes can share them)'))
    .addOption(new Option('--role <role>', 'what this process runs: everything, only the API server, the controllers or the simulated nodes (the last two need --etcd-servers)').choices(['all', 'apiserver', 'controllers', 'nodes']).default('all'))
    .addOption(new Option('--kubelet-port <n>', 'with --etcd-servers: port of the kubelet server the process running the simulated nodes opens for the API servers (0 picks a free port)').default(0).argParser(intArg('--kubelet-port', 0, 65535)))
    .addOption(new Option('--kubelet-address <ip>', 'with --etcd-servers: address the kubelet server listens on (default: --address)'))
    .addOption(new Option('--event-ttl <duration>', 'how long an Event is kept after its last update (90s, 10m, 1h)').default(DEFAULT_EVENT_TTL_MS, '1h').argParser(durationArg('--event-ttl')))
    .addOption(new Option('--etcd-compaction-interval <duration>', "with --etcd-servers: how often etcd's history is compacted (0: never)").default(DEFAULT_COMPACTION_INTERVAL_MS, '5m').argParser(durationOrZeroArg('--etcd-compaction-interval')))
    .addOption(new Option('--lease-duration <seconds>', 'leader-election lease duration of the controllers and nodes roles').default(15).argParser(intArg('--lease-duration', 1, 3600)))
    .action(async (opts: UpOptions) => {
      await runUp(opts);
    });
  program.addCommand(nodeCommand());
  program.addCommand(dashboardCommand());
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed its message; help and version are successful exits.
      process.exit(err.exitCode === 0 ? 0 : 2);
    }
    process.stderr.write(`kubeloop: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

void main(process.argv);
