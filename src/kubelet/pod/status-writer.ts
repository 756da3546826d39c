// Writes one pod's status through the status subresource, one request at a time, like the kubelet's status
// manager: a request is served on the next tick with the pod's latest status, so changes made within one tick
// (everything, with the instant profile) become a single write; a write that lost a race (409) re-reads the
// pod and regenerates the status against it, so conditions others wrote meanwhile are kept.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';

export interface StatusWriterHost {
  client: Client;
  /** The freshest pod object known (its resourceVersion is the write's precondition). */
  pod(): Pod;
  /** The pod's status as of now (what to send). */
  latest(): PodStatus;
  /** Runs `fn` on the next tick. */
  defer(fn: () => void): void;
  /** Builds the status again against the freshest pod (after a conflict). */
  regenerate(): PodStatus;
  /** A write went through (or a fresh read came back). */
  seen(pod: Pod): void;
  /** The pod no longer exists, or was replaced by another with the same name. */
  gone(): void;
  log(message: string, err: unknown): void;
  /** While true, writes wait: the node's kubelet is switched off and must not be seen doing anything. */
  held?(): boolean;
}

const MAX_CONFLICT_RETRIES = 5;

/** The HTTP status of an API failure, whichever transport raised it. */
export function errorCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export class PodStatusWriter {
  private pending = false;
  private running = false;
  private scheduled = false;
  private idle: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly host: StatusWriterHost) {}

  /** Asks for the current status to be written (coalesced with any write already queued). */
  request(): void {
    if (this.stopped) return;
    this.pending = true;
    if (this.running || this.scheduled || this.host.held?.()) return;
    this.scheduled = true;
    this.host.defer(() => {
      this.scheduled = false;
      if (!this.running) void this.run();
    });
  }

  /** A write is queued or in flight. */
  get busy(): boolean {
    return this.running || this.pending || this.scheduled;
  }

  /** Resolves once nothing is queued or in flight. */
  flushed(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** The hold ended: sends whatever was asked for meanwhile. */
  unhold(): void {
    if (this.pending) this.request();
  }

  stop(): void {
    this.stopped = true;
    this.pending = false;
    for (const w of this.idle.splice(0)) w();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.pending && !this.stopped && !this.host.held?.()) {
        this.pending = false;
        await this.writeOnce();
      }
    } finally {
      this.running = false;
      if (!this.pending) for (const w of this.idle.splice(0)) w();
    }
  }

  private async writeOnce(): Promise<void> {
    const { client } = this.host;
    for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES && !this.stopped; attempt++) {
      const pod = this.host.pod();
      const m = pod.metadata ?? {};
      const body = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion },
        status: attempt === 0 ? this.host.latest() : this.host.regenerate(),
      } as unknown as KubeObject;
      try {
        const written = await client.update(podDescriptor, m.namespace, body, { subresource: 'status' });
        this.host.seen(written as unknown as Pod);
        return;
      } catch (err) {
        if (errorCode(err) === 404) {
          this.host.gone();
          return;
        }
        if (errorCode(err) !== 409) {
          this.host.log(`status write for ${m.namespace}/${m.name} failed`, err);
          return;
        }
      }
      try {
        const fresh = (await client.get(podDescriptor, m.namespace, m.name ?? '')) as unknown as Pod;
        if (fresh.metadata?.uid !== m.uid) {
          this.host.gone();
          return;
        }
        this.host.seen(fresh);
      } catch (err) {
        if (errorCode(err) === 404) this.host.gone();
        else this.host.log(`re-reading ${m.namespace}/${m.name} failed`, err);
        return;
      }
    }
  }
}
