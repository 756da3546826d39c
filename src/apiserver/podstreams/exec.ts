// pods/NAME/exec and pods/NAME/attach over WebSocket (the remote-command protocol kubectl 1.30+ speaks:
// v5.channel.k8s.io, and v4 for older clients). Every message is binary, its first byte the channel: 0 stdin,
// 1 stdout, 2 stderr, 3 the final metav1.Status carrying the exit code, 4 terminal resize, 255 (v5) "this channel
// is closed". With `-it` the command runs on a simulated terminal (src/containers/shell/interactive.ts); attach
// reaches the main process's console (its output from now on, its stdin when the spec gives it one).
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { errors } from '../../api/errors.js';
import { Pipe } from '../../containers/shell/io.js';
import { runOnTerminal, Terminal } from '../../containers/shell/interactive.js';
import type { InstanceRecord } from '../../kubelet/runtime/directory.js';
import { refuseUpgrade } from '../http-util.js';
import { allContainerNames, pickContainer, type PodStreamDeps } from './deps.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)$/;

const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
});

/** Checks the request and finds the running container; throws the API error kubectl should print. */
export function resolveExec(deps: PodStreamDeps, namespace: string, name: string, url: URL) {
  const pod = deps.getPod(namespace, name);
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') throw errors.badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  const container = pickContainer(pod, url.searchParams.get('container'));
  if (!allContainerNames(pod).includes(container)) throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  const live = deps.containers.find(namespace, name, container)?.current?.live;
  if (!live) throw errors.badRequest(`unable to upgrade connection: container not found ("${container}")`);
  const command = url.searchParams.getAll('command');
  if (command.length === 0) throw errors.badRequest('you must specify at least 1 command');
  return { live, command };
}

/** Checks an attach request and finds the container's running instance. */
export function resolveAttach(deps: PodStreamDeps, namespace: string, name: string, url: URL): InstanceRecord {
  const pod = deps.getPod(namespace, name);
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') throw errors.badRequest(`cannot attach to a container in a completed pod; current phase is ${phase}`);
  const container = pickContainer(pod, url.searchParams.get('container'));
  if (!allContainerNames(pod).includes(container)) throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  const inst = deps.containers.find(namespace, name, container)?.current;
  if (!inst?.live || !inst.console) throw errors.badRequest(`unable to upgrade connection: container ${container} not found in pod ${name}_${namespace}`);
  return inst;
}

/** For exec/attach requests that arrive without a WebSocket upgrade (kubectl's SPDY fallback, curl): the same
 * pod checks, then the error kube-apiserver gives a client that cannot upgrade. */
export function execWithoutUpgrade(deps: PodStreamDeps, namespace: string, name: string, url: URL, sub: 'exec' | 'attach' = 'exec'): never {
  if (sub === 'attach') resolveAttach(deps, namespace, name, url);
  else resolveExec(deps, namespace, name, url);
  throw errors.badRequest('Upgrade request required: kubeloop serves exec over WebSocket (v5.channel.k8s.io); SPDY is not supported');
}

/**
 * The 'upgrade' event handler. Returns false when the request is not a pod exec/attach (the caller decides what
 * to do with it, e.g. destroy the socket); true when it answered it. Authenticate before calling.
 */
export function handleExecUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, deps: PodStreamDeps): boolean {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const m = PATH.exec(url.pathname);
  if (!m) return false;
  const [, ns, name, sub] = m as unknown as [string, string, string, 'exec' | 'attach'];
  serveExecUpgrade(req, socket, head, deps, { namespace: decodeURIComponent(ns), name: decodeURIComponent(name), sub, url });
  return true;
}

/** Runs an exec or attach session for a request already routed (the API path above, or the kubelet server's
 * /exec and /attach paths); `url` carries the API's query parameters (container, command, stdin, tty). */
export function serveExecUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  deps: PodStreamDeps,
  target: { namespace: string; name: string; sub: 'exec' | 'attach'; url: URL },
): void {
  const { namespace, name, sub, url } = target;
  try {
    if (sub === 'attach') {
      const inst = resolveAttach(deps, namespace, name, url);
      wss.handleUpgrade(req, socket, head, (ws) => runAttach(ws, inst, url));
      return;
    }
    const session = resolveExec(deps, namespace, name, url);
    wss.handleUpgrade(req, socket, head, (ws) => runSession(ws, session, url));
  } catch (err) {
    refuseUpgrade(socket, err);
  }
}

function resizeOf(data: Buffer): { Width: number; Height: number } | undefined {
  try {
    const r = JSON.parse(data.subarray(1).toString('utf8')) as { Width?: unknown; Height?: unknown };
    return typeof r.Width === 'number' && typeof r.Height === 'number' ? { Width: r.Width, Height: r.Height } : undefined;
  } catch {
    return undefined;
  }
}

function exitStatus(code: number) {
  return code === 0
    ? { metadata: {}, status: 'Success' }
    : {
        metadata: {},
        status: 'Failure',
        message: `command terminated with non-zero exit code: exit status ${code}`,
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
      };
}

/** `kubectl exec -it`: the command runs on a terminal (line discipline, prompt for shells, ^C, resize). */
function runTerminalSession(ws: WebSocket, target: ReturnType<typeof resolveExec>, v5: boolean): void {
  let closed = false;
  const term = new Terminal((s) => {
    if (!closed) ws.send(frame(1, s));
  });
  const utf8 = new StringDecoder('utf8');
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const ch = data[0];
    if (ch === 0) term.input(utf8.write(data.subarray(1)));
    else if (ch === 4) {
      const r = resizeOf(data);
      if (r) term.resize(r.Width, r.Height);
    } else if (ch === 255 && v5 && data[1] === 0) term.hangup();
  });
  ws.on('close', () => {
    if (closed) return;
    closed = true;
    // The terminal went away: the foreground job gets SIGHUP (as ^C here), the shell end of file.
    term.input('\x03');
    term.hangup();
  });
  const session = target.live.terminal;
  if (!session) throw new Error('container has no terminal support');
  void runOnTerminal(session, target.command, term)
    .then((code) => {
      if (closed) return;
      ws.send(frame(3, JSON.stringify(exitStatus(code))));
      closed = true;
      ws.close(1000);
    })
    .catch((err) => {
      if (closed) return;
      ws.send(frame(3, JSON.stringify({ metadata: {}, status: 'Failure', message: (err as Error).message, reason: 'InternalError' })));
      closed = true;
      ws.close(1000);
    });
}

/** `kubectl attach`: the main process's output from now on, and its stdin when it has one, until it exits. */
function runAttach(ws: WebSocket, inst: InstanceRecord, url: URL): void {
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const con = inst.console as NonNullable<InstanceRecord['console']>;
  const tty = url.searchParams.get('tty') === 'true' && con.opts.tty;
  const wantStdin = url.searchParams.get('stdin') === 'true';
  let closed = false;
  const send = (ch: number, text: string) => {
    if (!closed && text) ws.send(frame(ch, text));
  };
  const detach = con.attach((stream, text) => send(stream === 'stderr' && !tty ? 2 : 1, text));
  const stopFollow = inst.logs.follow(
    () => {},
    () => {
      // The container ended: the attach ends with it.
      if (closed) return;
      ws.send(frame(3, JSON.stringify({ metadata: {}, status: 'Success' })));
      end();
      ws.close(1000);
    },
  );
  function end() {
    if (closed) return;
    closed = true;
    detach();
    stopFollow();
  }
  const utf8 = new StringDecoder('utf8');
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const ch = data[0];
    if (ch === 0 && wantStdin) con.input(utf8.write(data.subarray(1)));
    else if (ch === 4) {
      const r = resizeOf(data);
      if (r) con.resize(r.Width, r.Height);
    } else if (ch === 255 && v5 && data[1] === 0 && con.opts.stdinOnce) con.closeStdin();
  });
  ws.on('close', end);
}

function frame(channel: number, text: string): Buffer {
  return Buffer.concat([Buffer.from([channel]), Buffer.from(text, 'utf8')]);
}

function runSession(ws: WebSocket, target: ReturnType<typeof resolveExec>, url: URL): void {
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const tty = url.searchParams.get('tty') === 'true';
  const wantStdin = url.searchParams.get('stdin') === 'true';
  if (tty && wantStdin && target.live.terminal) return runTerminalSession(ws, target, v5);
  const stdin = new Pipe();
  if (!wantStdin) stdin.close();
  let closed = false;
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const ch = data[0];
    if (ch === 0) stdin.write(data.subarray(1).toString('utf8'));
    else if (ch === 255 && v5 && data[1] === 0) stdin.close();
  });
  ws.on('close', () => {
    closed = true;
    stdin.close();
  });
  const send = (ch: number, text: string) => {
    if (!closed && text) ws.send(frame(ch, tty ? text.replace(/\r?\n/g, '\r\n') : text));
  };
  const stderrChannel = tty ? 1 : 2;
  void target.live
    .exec(target.command, { stdin, stdout: (s) => send(1, s), stderr: (s) => send(stderrChannel, s) })
    .then((code) => {
      if (closed) return;
      ws.send(frame(3, JSON.stringify(exitStatus(code))));
      ws.close(1000);
    })
    .catch((err) => {
      if (closed) return;
      ws.send(frame(3, JSON.stringify({ metadata: {}, status: 'Failure', message: (err as Error).message, reason: 'InternalError' })));
      ws.close(1000);
    });
}
