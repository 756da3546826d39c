// One probe attempt and its verdict in the kubelet's words: exec (exit status 0 passes; the output is the
// failure message), httpGet (2xx and 3xx pass) and tcpSocket (something listens), bounded by timeoutSeconds.
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import type { HttpResponse } from '../../containers/http.js';
import type { ProbeTarget } from '../runtime/process.js';

export type ProbeOutcome = { ok: true } | { ok: false; message: string };

interface Clocked {
  after(ms: number, fn: () => void): { cancel(): void };
  podIP(): string;
  hostIP(): string;
}

/** The User-Agent kubelet probes send: kube-probe/<major>.<minor> of the cluster's version. */
export const PROBE_AGENT = 'kube-probe/1.32';

function portOf(port: number | string | undefined, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port !== undefined && /^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

/** Resolves with `value`, or with `timedOut` once `ms` of cluster time passed first. */
function within<T>(host: Clocked, ms: number, work: Promise<T>, timedOut: T): Promise<T> {
  return new Promise((resolve) => {
    const t = host.after(ms, () => resolve(timedOut));
    void work.then(
      (v) => {
        t.cancel();
        resolve(v);
      },
      () => {
        t.cancel();
        resolve(timedOut);
      },
    );
  });
}

export async function probeOnce(probe: Probe, c: Container, target: ProbeTarget | undefined, host: Clocked): Promise<ProbeOutcome> {
  if (!target) return { ok: true };
  const timeout = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) {
    const argv = probe.exec.command ?? [];
    const timedOut = { code: -1, output: '' };
    const r = await within(host, timeout, target.exec(argv), timedOut);
    if (r === timedOut) return { ok: false, message: `command ${JSON.stringify(argv.join(' '))} timed out` };
    return r.code === 0 ? { ok: true } : { ok: false, message: r.output };
  }
  if (probe.httpGet) {
    const g = probe.httpGet;
    const port = portOf(g.port, c);
    const hostName = g.host || host.podIP();
    const path = g.path ? (g.path.startsWith('/') ? g.path : `/${g.path}`) : '/';
    const scheme = (g.scheme ?? 'HTTP').toLowerCase();
    const url = `${scheme}://${hostName}:${port ?? g.port}${path}`;
    if (port === undefined) return { ok: false, message: `unable to find port ${JSON.stringify(String(g.port))} in container ${c.name}` };
    const headers: Record<string, string> = { host: `${hostName}:${port}`, 'user-agent': PROBE_AGENT, accept: '*/*' };
    for (const h of g.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
    const late = { status: -1, headers: {}, body: '' } as HttpResponse;
    const res = await within(host, timeout, target.http(port, { method: 'GET', path, headers, remote: host.hostIP() }), late as HttpResponse | undefined);
    if (res === late) return { ok: false, message: `Get ${JSON.stringify(url)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)` };
    if (!res) return { ok: false, message: `Get ${JSON.stringify(url)}: dial tcp ${hostName}:${port}: connect: connection refused` };
    if (res.status >= 200 && res.status < 400) return { ok: true };
    return { ok: false, message: `HTTP probe failed with statuscode: ${res.status}` };
  }
  if (probe.tcpSocket) {
    const port = portOf(probe.tcpSocket.port, c);
    const hostName = probe.tcpSocket.host || host.podIP();
    if (port !== undefined && target.listening(port)) return { ok: true };
    return { ok: false, message: `dial tcp ${hostName}:${port ?? probe.tcpSocket.port}: connect: connection refused` };
  }
  // gRPC probes: the simulated servers speak no gRPC health protocol, so they pass when the port is served.
  if (probe.grpc) return target.listening(probe.grpc.port) ? { ok: true } : { ok: false, message: `timeout: failed to connect service ":${probe.grpc.port}" within 1s: context deadline exceeded` };
  return { ok: true };
}
