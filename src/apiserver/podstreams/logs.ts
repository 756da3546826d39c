// GET pods/NAME/log: the container's log as plain text, from the current or the previous instance, optionally
// following new lines until the container ends (-f), with --tail, --since, --since-time, --timestamps and
// --limit-bytes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../../api/errors.js';
import type { LogLine } from '../../containers/logs.js';
import { allContainerNames, pickContainer, type PodStreamDeps } from './deps.js';

function nanoStamp(ms: number): string {
  const iso = new Date(Math.floor(ms)).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}

function intParam(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw errors.badRequest(`invalid ${name}: ${v}`);
  return n;
}

/** Answers a pod log request. Throws the API errors (NotFound, BadRequest) for the caller to send. */
export async function handlePodLog(req: IncomingMessage, res: ServerResponse, url: URL, namespace: string, name: string, deps: PodStreamDeps): Promise<void> {
  const pod = deps.getPod(namespace, name);
  const containerName = pickContainer(pod, url.searchParams.get('container'));
  const names = allContainerNames(pod);
  if (!names.includes(containerName)) throw errors.badRequest(`container ${containerName} is not valid for pod ${name}`);
  const previous = url.searchParams.get('previous') === 'true';
  const follow = url.searchParams.get('follow') === 'true';
  const timestamps = url.searchParams.get('timestamps') === 'true';
  const tailLines = intParam(url, 'tailLines');
  const sinceSeconds = intParam(url, 'sinceSeconds');
  const limitBytes = intParam(url, 'limitBytes');
  const sinceTime = url.searchParams.get('sinceTime');
  const sinceMs = sinceSeconds !== undefined ? deps.clock.now() - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined;

  const record = deps.containers.find(namespace, name, containerName);
  const inst = previous ? record?.previous : record?.current;
  if (!inst) {
    if (previous) throw errors.badRequest(`previous terminated container "${containerName}" in pod "${name}" not found`);
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const waiting = statuses.find((s) => s.name === containerName)?.state?.waiting?.reason ?? 'ContainerCreating';
    throw errors.badRequest(`container "${containerName}" in pod "${name}" is waiting to start: ${waiting}`);
  }

  let budget = limitBytes ?? Infinity;
  const format = (l: LogLine) => (timestamps ? `${nanoStamp(l.at)} ${l.text}` : l.text);
  res.writeHead(200, { 'Content-Type': 'text/plain', ...(follow ? { 'Transfer-Encoding': 'chunked' } : {}) });
  const send = (text: string): boolean => {
    if (budget <= 0) return false;
    // limitBytes counts bytes (a cut may fall inside a multi-byte character, as the kubelet's LimitWriter does).
    const bytes = Buffer.from(text);
    const piece = bytes.length > budget ? bytes.subarray(0, budget) : bytes;
    budget -= piece.length;
    res.write(piece);
    return budget > 0;
  };
  const q: { tailLines?: number; sinceMs?: number } = {};
  if (tailLines !== undefined) q.tailLines = tailLines;
  if (sinceMs !== undefined) q.sinceMs = sinceMs;
  let open = true;
  for (const l of inst.logs.select(q)) if (!(open = send(format(l)))) break;
  if (!follow || !open || previous) {
    res.end();
    return;
  }
  await new Promise<void>((resolve) => {
    const stop = inst.logs.follow(
      (l) => {
        if (!send(format(l))) finish();
      },
      () => finish(),
    );
    function finish() {
      stop();
      if (!res.writableEnded) res.end();
      resolve();
    }
    req.on('close', finish);
    res.on('close', finish);
  });
}
