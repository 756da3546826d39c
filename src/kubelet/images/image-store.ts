// One node's images and its image manager: what is present, pulls queued one after another (the kubelet's
// default serialized pulls), the pull policies, the per-pod pull backoff, and the events a kubelet records on
// the way (Pulling, Pulled, Failed, BackOff, ErrImageNeverPull, InspectFailed).
import type { Container } from 'kubernetes-types/core/v1.js';
import type { Backoff } from '../backoff.js';
import { goDuration } from '../go-format.js';
import type { Random } from '../random.js';
import { draw, type TimingProfile } from '../timing.js';
import type { ImageCatalog, ImageInfo } from './catalog.js';

export type EventFn = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

export interface PullRequest {
  podUID: string;
  container: Container;
  /** Events about this container (the pod, fieldPath spec.containers{name}). */
  event: EventFn;
  /** The pod's image-pull backoff. */
  backoff: Backoff;
  /** The pod's record of the last pull error per backoff key, appended to the back-off message. */
  lastErrors: Map<string, string>;
  /** Waits on the kubelet's timers; resolves false when the pod's work was cancelled meanwhile. */
  wait(ms: number): Promise<boolean>;
}

export type PullOutcome =
  | { ok: true; image: ImageInfo }
  | { ok: false; reason: string; message: string }
  | { ok: false; aborted: true };

export class NodeImageStore {
  /** fullName → when it is (or will be) present on the node. */
  private readonly presentAt = new Map<string, number>();
  private readonly infos = new Map<string, ImageInfo>();
  private queueFreeAt = 0;

  constructor(
    private readonly catalog: ImageCatalog,
    private readonly timing: TimingProfile,
    private readonly random: Random,
    private readonly now: () => number,
  ) {
    for (const img of catalog.nodeImages()) this.add(img, 0);
  }

  private add(img: ImageInfo, at: number): void {
    const prev = this.presentAt.get(img.fullName);
    if (prev !== undefined && prev <= at) return;
    this.presentAt.set(img.fullName, at);
    this.infos.set(img.fullName, img);
  }

  isPresent(fullName: string): boolean {
    const at = this.presentAt.get(fullName);
    return at !== undefined && at <= this.now();
  }

  /** The node's images for node.status.images: biggest first, at most 50, as the kubelet reports them. */
  list(): Array<{ names: string[]; sizeBytes: number }> {
    const now = this.now();
    const out: ImageInfo[] = [];
    for (const [name, at] of this.presentAt) if (at <= now) out.push(this.infos.get(name) as ImageInfo);
    out.sort((a, b) => b.sizeBytes - a.sizeBytes || (a.fullName < b.fullName ? -1 : 1));
    return out.slice(0, 50).map((i) => ({ names: [i.imageID, i.fullName], sizeBytes: i.sizeBytes }));
  }

  /** Reserves the serial pull slot for `duration` and returns when the pull ends. */
  private queue(duration: number): number {
    const start = Math.max(this.now(), this.queueFreeAt);
    this.queueFreeAt = start + duration;
    return this.queueFreeAt;
  }

  /** Makes sure the container's image is on the node, pulling it if the policy says so. */
  async ensure(req: PullRequest): Promise<PullOutcome> {
    const requested = req.container.image ?? '';
    const quoted = JSON.stringify(requested);
    const found = this.catalog.lookup(requested);
    if (!found.ok && found.reason === 'InvalidImageName') {
      const message = `Failed to apply default image tag ${quoted}: ${found.message}`;
      req.event('Warning', 'InspectFailed', message);
      return { ok: false, reason: 'InvalidImageName', message };
    }
    const fullName = found.ok ? found.image.fullName : '';
    const present = found.ok && this.isPresent(fullName);
    const policy = req.container.imagePullPolicy ?? 'IfNotPresent';
    if (policy === 'Never' || (policy === 'IfNotPresent' && present)) {
      if (present && found.ok) {
        req.event('Normal', 'Pulled', `Container image ${quoted} already present on machine`);
        return { ok: true, image: found.image };
      }
      const message = `Container image ${quoted} is not present with pull policy of Never`;
      req.event('Warning', 'ErrImageNeverPull', message);
      return { ok: false, reason: 'ErrImageNeverPull', message };
    }

    const key = `${req.podUID}_${requested}`;
    const now = this.now();
    if (req.backoff.inBackOffSinceUpdate(key, now)) {
      let message = `Back-off pulling image ${quoted}`;
      req.event('Normal', 'BackOff', message);
      const prev = req.lastErrors.get(key);
      if (prev) message = `${message}: ${prev}`;
      return { ok: false, reason: 'ImagePullBackOff', message };
    }
    req.lastErrors.delete(key);
    req.event('Normal', 'Pulling', `Pulling image ${quoted}`);

    if (!found.ok) {
      const end = this.queue(draw(this.random, this.timing.pullFailure));
      if (!(await req.wait(end - now))) return { ok: false, aborted: true };
      req.event('Warning', 'Failed', `Failed to pull image ${quoted}: ${found.message}`);
      req.backoff.next(key, this.now(), this.now());
      req.lastErrors.set(key, `ErrImagePull: ${found.message}`);
      return { ok: false, reason: 'ErrImagePull', message: found.message };
    }

    // A pull of the same image already under way finishes for everyone at once; the late pod's own pull is
    // then just a quick check that mostly waited.
    const inFlight = this.presentAt.get(fullName);
    let end: number;
    let pullMs: number;
    if (inFlight !== undefined && inFlight > now) {
      pullMs = Math.round(draw(this.random, this.timing.pullCached) / 10);
      end = inFlight + pullMs;
    } else {
      pullMs = draw(this.random, present ? this.timing.pullCached : this.timing.pull);
      end = this.queue(pullMs);
      this.add(found.image, end);
    }
    if (!(await req.wait(end - now))) return { ok: false, aborted: true };
    const size = found.image.sizeBytes;
    req.event('Normal', 'Pulled', `Successfully pulled image ${quoted} in ${goDuration(pullMs)} (${goDuration(end - now)} including waiting). Image size: ${size} bytes.`);
    return { ok: true, image: found.image };
  }
}
