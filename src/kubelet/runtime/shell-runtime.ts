// The default container runtime: images run their entrypoint and command (or the pod's command and args) in the
// simulated shell, on a filesystem of the image's files plus the pod's volumes. Output streams into the
// instance's log buffer line by line; the program's exit status ends the container, which drives the kubelet's
// restart logic. Images with no known behaviour keep running until stopped, as before.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ContainerFs, FileTree } from '../../containers/fs.js';
import type { Resolved } from '../../containers/http.js';
import { LogBuffer } from '../../containers/logs.js';
import { curl, wget } from '../../containers/programs/net.js';
import { type Daemon, fluentd, httpd, nginx, nginxEntrypoint, redis, staticServer } from '../../containers/programs/servers.js';
import { python } from '../../containers/programs/train.js';
import type { Program } from '../../containers/shell/commands.js';
import { Shell, type System } from '../../containers/shell/interp.js';
import { ContainerConsole } from '../../containers/shell/interactive.js';
import { Pipe } from '../../containers/shell/io.js';
import { expandRefs, kubeletEnv, runtimeEnv } from './env.js';
import { ServiceRouter } from './network.js';
import { probeTarget } from './probe-target.js';
import { imageBehaviour } from '../images/behaviour.js';
import { draw } from '../timing.js';
import type { ContainerDirectory, ExecIo } from './directory.js';
import type { ContainerRuntime, ContainerStart, ProcessHost } from './process.js';
import { containerMounts } from './volumes.js';

function baseTree(files: Record<string, string> | undefined, hostname: string, pod: Pod, podIP: string | undefined): FileTree {
  const ns = pod.metadata?.namespace ?? 'default';
  // A pod with a subdomain also knows its own fully qualified name, as the kubelet writes it into /etc/hosts.
  const fqdn = pod.spec?.subdomain ? `${hostname}.${pod.spec.subdomain}.${ns}.svc.cluster.local\t` : '';
  const tree = FileTree.from({
    '/etc/hostname': `${hostname}\n`,
    '/etc/hosts': `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${podIP ?? ''}\t${fqdn}${hostname}\n`,
    '/etc/resolv.conf': `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`,
    ...(files ?? {}),
  });
  for (const d of ['tmp', 'root', 'bin', 'usr/bin', 'usr/local/bin', 'var/log', 'var/run', 'dev', 'proc', 'home', 'mnt', 'opt', 'srv', 'run']) tree.mkdirs(d, 0);
  return tree;
}

export function createShellRuntime(directory: ContainerDirectory): ContainerRuntime {
  const routers = new WeakMap<object, ServiceRouter>();
  const routerFor = (start: ContainerStart): ServiceRouter | undefined => {
    if (!start.cluster) return undefined;
    let r = routers.get(start.cluster);
    if (!r) routers.set(start.cluster, (r = new ServiceRouter(start.cluster)));
    return r;
  };
  return {
    start(start: ContainerStart, host: ProcessHost) {
      const { pod, container: c } = start;
      const behaviour = start.image.behaviour ?? imageBehaviour(start.image.repository, start.image.tag);
      const command = c.command ?? behaviour?.entrypoint ?? [];
      const args = c.args ?? (c.command ? [] : (behaviour?.cmd ?? []));

      const ns = pod.metadata?.namespace ?? 'default';
      const name = pod.metadata?.name ?? '';
      const uid = pod.metadata?.uid ?? '';
      const hostname = pod.spec?.hostname ?? name;
      const record = directory.pod(ns, name, uid);
      const podIP = start.podIP ?? pod.status?.podIP;
      if (podIP) record.ip = podIP;
      const addresses = { ...(podIP ? { podIP } : {}), ...(start.hostIP ? { hostIP: start.hostIP } : {}) };
      const lookup = start.lookupConfig;
      const logs = new LogBuffer(() => host.now());
      const now = () => host.now();
      const projection = { pod: start.currentPod ?? (() => pod), addresses, now, ...(lookup ? { lookup } : {}) };
      const objects = start.objects;
      // The kubelet's variables (explicit env, then service links as the container starts); command, args and
      // subPathExpr expand from these, the process sees them over the image's.
      const kenv = kubeletEnv(pod, c, { addresses, ...(lookup ? { lookup } : {}), ...(objects ? { services: () => objects.services() } : {}) });
      const mounts = containerMounts(directory, pod, c, { projection, env: kenv, now, ...(objects ? { objects } : {}) });
      const fs = new ContainerFs(baseTree(behaviour?.files, hostname, pod, podIP), mounts, now);
      const env = runtimeEnv(hostname, behaviour?.env, kenv);
      const argv = [...command, ...args].map((a) => expandRefs(a, kenv));
      // Nothing to run (an image without behaviour): init containers finish, the others idle until stopped.
      if (argv.length === 0) argv.push(start.role === 'init' ? IDLE_INIT : IDLE);

      let dead = false;
      let onTerm: (() => void) | undefined;
      const myPorts: number[] = [];
      const daemon: Daemon = {
        listen: (port, handler) => {
          record.servers.set(port, handler);
          myPorts.push(port);
        },
        untilTerminated: (code) => new Promise((resolve) => (onTerm = () => host.after(draw(host.random, host.timing.sigtermExit), () => resolve(code)))),
      };
      const remote = () => record.ip ?? '127.0.0.1';
      const router = routerFor(start);
      const resolve = async (h: string, port: number): Promise<Resolved> => {
        if (h === 'localhost' || h === '127.0.0.1' || h === hostname || h === record.ip) return record.servers.get(port);
        const dest = await router?.resolve(h, port, ns);
        if (dest === 'refused') return undefined;
        if (dest && dest !== 'unknown-host') return directory.servers(dest.namespace, dest.pod)?.get(dest.port);
        if (/^\d+\.\d+\.\d+\.\d+$/.test(h)) return directory.serversByIP(h)?.get(port);
        return 'unknown-host';
      };
      const programs = new Map<string, Program>([
        ['nginx', nginx(daemon)],
        ['docker-entrypoint.sh', nginxEntrypointFor(start.image.repository)],
        ['httpd-foreground', httpd(daemon)],
        ['httpd', httpd(daemon)],
        ['redis-server', redis(daemon)],
        ['fluentd', fluentd(daemon)],
        ['static-server', staticServer(daemon)],
        ['entrypoint.sh', passThrough],
        ['python', python],
        [IDLE, async () => daemon.untilTerminated(0)],
        [IDLE_INIT, async (ctx) => {
          await ctx.sys.sleep(draw(host.random, host.timing.initRun));
          return 0;
        }],
        ['python3', python],
        ['curl', curl(resolve, remote)],
        ['wget', wget(resolve, remote)],
      ]);
      const sys: System = {
        fs,
        hostname,
        now: () => host.now(),
        // A killed container's sleeps never wake: nothing it does afterwards counts.
        sleep: (ms) => new Promise((res) => (Number.isFinite(ms) ? host.after(ms, res) : undefined)),
        programs,
      };
      const workingDir = c.workingDir ?? behaviour?.workingDir ?? '/';
      fs.mkdir(workingDir, true);
      const exec = async (av: string[], io: ExecIo): Promise<number> => {
        const sh = new Shell(sys, env, { cwd: workingDir });
        return sh.exec(av, io);
      };
      const terminal = { sys, image: c.image ?? '', newShell: (s: System) => new Shell(s, env, { cwd: workingDir }) };
      // stdin/tty from the spec: what `kubectl attach` (and `kubectl run -it`) types into and reads.
      const consoleIo = new ContainerConsole(
        { stdin: c.stdin === true, tty: c.tty === true, stdinOnce: c.stdinOnce === true },
        { stdout: (s) => !dead && logs.write('stdout', s), stderr: (s) => !dead && logs.write('stderr', s) },
        () => new Pipe(),
      );
      directory.started(ns, name, uid, c.name, { containerID: start.containerID, logs, live: { fs, exec, terminal }, console: consoleIo });

      const finish = (code: number) => {
        if (dead) return;
        dead = true;
        for (const p of myPorts) if (record.servers.get(p)) record.servers.delete(p);
        logs.end();
        const rec = directory.find(ns, name, c.name);
        if (rec?.current?.containerID === start.containerID) delete rec.current.live;
        host.exit({ code });
      };
      // A shell image with nothing to run idles, unless it has a terminal: then CMD sh runs on it.
      void consoleIo
        .run(consoleIo.terminal && argv[0] === IDLE ? ['sh'] : argv, terminal, exec)
        .then(finish)
        .catch((err) => {
          logs.write('stderr', `${(err as Error).message}\n`);
          finish(128);
        });
      return {
        probe: probeTarget(exec, record.servers),
        // PID 1 gets no default SIGTERM handler: a shell or sleep ignores it and dies at the grace deadline.
        terminate: () => onTerm?.(),
        kill: () => {
          dead = true;
          // A shell reading its terminal or pipe would wait for input forever: hang up, as a dying pty does.
          consoleIo.closeStdin();
          for (const p of myPorts) record.servers.delete(p);
          logs.end();
          const rec = directory.find(ns, name, c.name);
          if (rec?.current?.containerID === start.containerID) delete rec.current.live;
        },
      };
    },
  };
}

const IDLE = '<idle>';
const IDLE_INIT = '<init>';

const passThrough: Program = async (ctx, argv) => (argv.length > 1 ? ctx.shell.exec(argv.slice(1), ctx) : 0);

function nginxEntrypointFor(repository: string): Program {
  return repository.endsWith('/nginx') ? nginxEntrypoint() : passThrough;
}
