// pods/NAME/exec over WebSocket (the remote-command protocol kubectl 1.30+ speaks: v5.channel.k8s.io, and v4
// for older clients). Every message is binary, its first byte the channel: 0 stdin, 1 stdout, 2 stderr, 3 the
// final metav1.Status carrying the exit code, 4 terminal resize, 255 (v5) "this channel is closed".
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, errors } from '../../api/errors.js';
import { Pipe } from '../../containers/shell/io.js';
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

/** For exec/attach requests that arrive without a WebSocket upgrade (kubectl's SPDY fallback, curl): the same
 * pod checks, then the error kube-apiserver gives a client that cannot upgrade. */
export function execWithoutUpgrade(deps: PodStreamDeps, namespace: string, name: string, url: URL): never {
  resolveExec(deps, namespace, name, url);
  throw errors.badRequest('Upgrade request required: kubeloop serves exec over WebSocket (v5.channel.k8s.io); SPDY is not supported');
}

function rejectUpgrade(socket: Duplex, err: unknown): void {
  const status = err instanceof ApiError ? err.status : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: String(err), reason: 'InternalError', code: 500 };
  const body = JSON.stringify(status);
  socket.end(`HTTP/1.1 ${status.code} ${status.reason ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * The 'upgrade' event handler. Returns false when the request is not a pod exec/attach (the caller decides what
 * to do with it, e.g. destroy the socket); true when it answered it. Authenticate before calling.
 */
export function handleExecUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, deps: PodStreamDeps): boolean {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const m = PATH.exec(url.pathname);
  if (!m) return false;
  const [, ns, name, sub] = m as unknown as [string, string, string, string];
  let target: ReturnType<typeof resolveExec>;
  try {
    if (sub === 'attach') throw errors.badRequest('attach is not supported by kubeloop yet; use exec');
    target = resolveExec(deps, decodeURIComponent(ns), decodeURIComponent(name), url);
  } catch (err) {
    rejectUpgrade(socket, err);
    return true;
  }
  wss.handleUpgrade(req, socket, head, (ws) => runSession(ws, target, url));
  return true;
}

function frame(channel: number, text: string): Buffer {
  return Buffer.concat([Buffer.from([channel]), Buffer.from(text, 'utf8')]);
}

function runSession(ws: WebSocket, target: ReturnType<typeof resolveExec>, url: URL): void {
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const tty = url.searchParams.get('tty') === 'true';
  const wantStdin = url.searchParams.get('stdin') === 'true';
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
      const status =
        code === 0
          ? { metadata: {}, status: 'Success' }
          : {
              metadata: {},
              status: 'Failure',
              message: `command terminated with non-zero exit code: exit status ${code}`,
              reason: 'NonZeroExitCode',
              details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
            };
      ws.send(frame(3, JSON.stringify(status)));
      ws.close(1000);
    })
    .catch((err) => {
      if (closed) return;
      ws.send(frame(3, JSON.stringify({ metadata: {}, status: 'Failure', message: (err as Error).message, reason: 'InternalError' })));
      ws.close(1000);
    });
}
