// One pod's life on a simulated node, driven like the kubelet's pod worker: each sync first publishes the status
// the pod has right now, then does the next piece of work (sandbox, image pulls, starting or restarting
// containers) and arranges the next sync: soon when something visible changed (the kubelet's relist notices a
// started or dead container within about a second), or when a backoff window ends. Deletion stops the
// containers (SIGTERM, SIGKILL at the grace deadline), writes the terminal status, then deletes the pod with
// grace 0 and a UID precondition, as the kubelet's status manager does.
import type { Container, Pod, PodStatus, Probe } from 'kubernetes-types/core/v1.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import type { EventRecorder, EventType } from '../../client/events.js';
import type { Clock } from '../../clock/clock.js';
import { Backoff } from '../backoff.js';
import { goDuration } from '../go-format.js';
import type { ImageInfo } from '../images/catalog.js';
import type { NodeImageStore } from '../images/image-store.js';
import type { Random } from '../random.js';
import { clientLookup } from '../runtime/network.js';
import type { ContainerRole, ContainerRuntime, ProcessExit, ProcessHost } from '../runtime/process.js';
import type { TimerWheel, WheelHandle } from '../timer-wheel.js';
import { draw, type TimingProfile } from '../timing.js';
import { generatePodStatus, kubeletOwnedView, rejectedPodStatus } from './api-status.js';
import { kubeletEnv } from '../runtime/env.js';
import { subPathError } from '../runtime/volumes.js';
import { type ConfigLookup, containerConfigError, type NodeObjects, unboundClaims, volumeMountError } from './config-refs.js';
import { type ContainerState, hasExited, type Instance, isRunning } from './container-state.js';
import { containersToStart, mainContainersDone, type RestartPolicy, shouldRestart } from './start-plan.js';
import { isTerminalPhase } from './phase.js';
import { ContainerProber, type ProbeKind } from './probes.js';
import { recoverContainers } from './recovery.js';
import { errorCode, PodStatusWriter } from './status-writer.js';

/** What a pod worker needs from its node. */
export interface PodWorkerContext {
  nodeName: string;
  client: Client;
  clock: Clock;
  wheel: TimerWheel;
  timing: TimingProfile;
  random: Random;
  images: NodeImageStore;
  runtime: ContainerRuntime;
  recorder: EventRecorder;
  hostIP(): string;
  allocateIP(): string | undefined;
  reserveIP(ip: string): void;
  releaseIP(ip: string): void;
  /** ConfigMaps and Secrets the pod's volumes and environment refer to. */
  lookupConfig: ConfigLookup;
  /** Claims and services from the kubelet's caches (absent in tests that do without). */
  objects?: NodeObjects;
  /** Describes an image for a container recovered from an earlier run of the simulation. */
  describeImage(spec: string): ImageInfo | undefined;
  /** The pod stopped counting against the node's resources. */
  released(worker: PodWorker): void;
  /** The kubelet is switched off: status writes wait until it is back. */
  held?(): boolean;
  log(message: string, err?: unknown): void;
}

type Stage = 'active' | 'stopping' | 'finishing' | 'finished' | 'gone';

/** How long the kubelet waits before retrying a sync that failed without a backoff of its own. */
const SYNC_RETRY_MS = 10_000;

function rvNumber(pod: Pod | undefined): number {
  const n = Number(pod?.metadata?.resourceVersion);
  return Number.isFinite(n) ? n : 0;
}

export class PodWorker {
  readonly uid: string;
  private pod: Pod;
  private readonly containers: ContainerState[] = [];
  private sandbox = false;
  private podIP?: string;
  private readonly restartBackoff = new Backoff();
  private readonly pullBackoff = new Backoff();
  private readonly pullErrors = new Map<string, string>();
  /** The volume manager's retry delay for mounts that fail (doubling from 0.5 s to about 2 minutes). */
  private mountRetryMs = 500;
  private claimWaitSince?: number;
  private stage: Stage = 'active';
  private deleting = false;
  private deleteIssued = false;
  private rejected?: { reason: string; message: string };
  private lastStatus?: PodStatus;
  /** Bumped by every change of runtime state that can show in the status; publishing records the version. */
  private version = 0;
  private publishedVersion = -1;
  private readonly restartPending = (c: ContainerState) => this.shouldRestart(c);
  private lastWrittenRV = 0;
  private readonly writer: PodStatusWriter;
  private nextSync?: WheelHandle;
  private busy = false;
  private again = false;
  private epoch = 0;
  private killTimer?: WheelHandle;
  private deadline = Infinity;
  private graceSeen = Infinity;
  private signalling = false;
  private releasedOnce = false;

  constructor(
    private readonly ctx: PodWorkerContext,
    pod: Pod,
  ) {
    this.pod = pod;
    this.uid = pod.metadata?.uid ?? '';
    const spec = pod.spec;
    for (const c of spec?.initContainers ?? []) this.containers.push(this.containerState(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init'));
    for (const c of spec?.containers ?? []) this.containers.push(this.containerState(c, 'main'));
    this.writer = new PodStatusWriter({
      client: ctx.client,
      pod: () => this.pod,
      latest: () => this.lastStatus ?? this.regenerate(),
      defer: (fn) => ctx.wheel.afterLate(0, fn),
      regenerate: () => this.regenerate(),
      seen: (p) => this.seen(p),
      gone: () => this.removed(),
      log: (m, e) => ctx.log(m, e),
      held: () => ctx.held?.() ?? false,
    });
  }

  private containerState(spec: Container, role: ContainerRole): ContainerState {
    return { name: spec.name, spec, role };
  }

  get name(): string {
    return `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}`;
  }

  /** Still holding node resources (admitted and not finished). */
  get counts(): boolean {
    return !this.rejected && (this.stage === 'active' || this.stage === 'stopping' || this.stage === 'finishing');
  }

  // ---- entry points ----

  /** Takes the pod over: adopts containers a previous run left running, then starts syncing. */
  start(): void {
    this.recover();
    if (this.pod.metadata?.deletionTimestamp) {
      this.beginStop(true);
      return;
    }
    this.requestSync(draw(this.ctx.random, this.ctx.timing.firstSync));
  }

  /** The node cannot run this pod: Failed with the kubelet's reason, nothing else happens. */
  reject(reason: string, message: string): void {
    this.rejected = { reason, message: `Pod was rejected: ${message}` };
    this.stage = 'finished';
    this.touch();
    this.event('Warning', reason, message);
    this.publish();
  }

  update(pod: Pod): void {
    if (pod.metadata?.uid !== this.uid || this.stage === 'gone') return;
    if (rvNumber(pod) < rvNumber(this.pod)) return;
    this.pod = pod;
    if (pod.metadata?.deletionTimestamp) {
      this.beginStop(true);
      return;
    }
    this.refreshSpecs(pod);
    // Someone else rewrote fields the kubelet owns: put ours back, as the status manager's reconcile does.
    if (
      this.stage === 'active' &&
      this.lastStatus &&
      !this.writer.busy &&
      rvNumber(pod) > this.lastWrittenRV &&
      kubeletOwnedView(pod.status) !== kubeletOwnedView(this.lastStatus)
    ) {
      this.publish(true);
    }
  }

  /** A container's image can be changed on a live pod: a running one is restarted with it, a waiting one just
   * uses it on the next attempt. */
  private refreshSpecs(pod: Pod): void {
    const specs = new Map<string, Container>();
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) specs.set(c.name, c);
    let changed = false;
    for (const c of this.containers) {
      const next = specs.get(c.name);
      if (!next) continue;
      const imageChanged = next.image !== c.spec.image;
      c.spec = next;
      if (!imageChanged || this.stage !== 'active') continue;
      changed = true;
      if (isRunning(c)) {
        const inst = c.current as Instance;
        this.event('Normal', 'Killing', `Container ${c.name} definition changed, will be restarted`, c);
        inst.stopping = true;
        inst.process?.terminate();
      } else if (c.waiting) {
        delete c.waiting;
        this.touch();
      }
    }
    if (changed) this.requestSync(0);
  }

  /** The kubelet is back from being switched off: writes what waited, and puts back the status others changed
   * meanwhile (the node controller marks the pods of a silent node not ready). */
  resumed(): void {
    if (this.stage === 'gone') return;
    if (this.writer.busy) {
      this.writer.unhold();
      return;
    }
    if (this.lastStatus && kubeletOwnedView(this.pod.status) !== kubeletOwnedView(this.lastStatus)) this.publish(true);
  }

  /** The pod is gone from the API (or replaced): stop everything without further writes. */
  removed(): void {
    if (this.stage === 'gone') return;
    this.shutdown();
  }

  /** The node's kubelet stops: containers vanish with it, no API writes. */
  stop(): void {
    this.shutdown();
  }

  private shutdown(): void {
    this.stage = 'gone';
    this.epoch++;
    this.nextSync?.cancel();
    this.killTimer?.cancel();
    for (const c of this.containers) {
      const inst = c.current;
      if (!inst || inst.finishedAt !== undefined) continue;
      inst.process?.kill?.();
      this.endInstance(inst, { code: 137, reason: 'Error' });
    }
    this.writer.stop();
    this.releaseSandbox();
    this.release();
  }

  private release(): void {
    if (this.releasedOnce) return;
    this.releasedOnce = true;
    this.ctx.released(this);
  }

  private releaseSandbox(): void {
    if (this.podIP && !this.pod.spec?.hostNetwork) this.ctx.releaseIP(this.podIP);
    this.sandbox = false;
    this.touch();
  }

  // ---- status ----

  private generate(): PodStatus {
    if (this.rejected) return rejectedPodStatus(this.pod, this.rejected, this.lastStatus, this.ctx.clock.now());
    const terminating = this.stage !== 'active';
    return generatePodStatus({
      pod: this.pod,
      containers: this.containers,
      sandboxReady: this.sandbox,
      hostIP: this.ctx.hostIP(),
      ...(this.podIP ? { podIP: this.podIP } : {}),
      terminating,
      // Until the runtime has cleaned up, the status manager keeps reporting the old phase.
      holdTerminalPhase: this.stage === 'stopping' || this.stage === 'finishing',
      restartPending: this.restartPending,
      ...(this.lastStatus ? { previous: this.lastStatus } : {}),
      now: this.ctx.clock.now(),
    });
  }

  private regenerate(): PodStatus {
    const s = this.generate();
    this.lastStatus = s;
    return s;
  }

  private touch(): void {
    this.version++;
  }

  /** The status as of now, reusing the last one when nothing changed since. */
  private currentStatus(): PodStatus {
    if (this.lastStatus && this.version === this.publishedVersion) return this.lastStatus;
    return this.generate();
  }

  /** Writes the status when something changed since the last write (or always, when forced); true if it did. */
  private publish(force = false, status?: PodStatus): boolean {
    if (this.stage === 'gone') return false;
    if (!force && this.version === this.publishedVersion) return false;
    this.lastStatus = status ?? this.generate();
    this.publishedVersion = this.version;
    this.writer.request();
    return true;
  }

  /** A failure the last sync recorded and this one just reported: the kubelet acts on it only at its next
   * sync, which is what keeps ErrImagePull and a crashed container's Error on screen for a moment. */
  private freshFailure(c: ContainerState): boolean {
    if (c.waiting?.reason === 'ErrImagePull') return true;
    return hasExited(c) && !c.waiting && this.shouldRestart(c);
  }

  private setWaiting(c: ContainerState, reason: string, message: string): void {
    if (c.waiting?.reason === reason && c.waiting.message === message) return;
    c.waiting = { reason, message };
    this.touch();
  }

  private seen(pod: Pod): void {
    if (rvNumber(pod) >= rvNumber(this.pod)) this.pod = pod;
    this.lastWrittenRV = Math.max(this.lastWrittenRV, rvNumber(pod));
  }

  // ---- events ----

  private event(type: EventType, reason: string, message: string, c?: ContainerState): void {
    const fieldPath = c ? `spec.${c.role === 'main' ? 'containers' : 'initContainers'}{${c.name}}` : undefined;
    this.ctx.recorder.event(this.pod as unknown as KubeObject, type, reason, message, fieldPath);
  }

  /** `name_namespace(uid)`, the kubelet's way of naming a pod in messages. */
  private podText(): string {
    return `${this.pod.metadata?.name}_${this.pod.metadata?.namespace}(${this.uid})`;
  }

  // ---- scheduling ----

  private requestSync(delayMs: number): void {
    if (this.stage !== 'active') return;
    const at = this.ctx.clock.now() + Math.max(0, delayMs);
    if (this.nextSync && this.nextSync.at <= Math.ceil(at)) return;
    this.nextSync?.cancel();
    this.nextSync = this.ctx.wheel.at(at, () => {
      this.nextSync = undefined;
      this.sync();
    });
  }

  private sync(): void {
    if (this.stage !== 'active') return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.syncPod(this.epoch)
      .catch((err) => this.ctx.log(`sync of pod ${this.name} failed`, err))
      .finally(() => {
        this.busy = false;
        if (this.again) {
          this.again = false;
          this.requestSync(0);
        }
      });
  }

  /** Waits on the shared timers; false when the pod's work was cancelled meanwhile (deletion, removal). */
  private wait(ms: number, epoch: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(this.epoch === epoch);
    return new Promise((resolve) => this.ctx.wheel.after(ms, () => resolve(this.epoch === epoch)));
  }

  // ---- the sync ----

  private get restartPolicy(): RestartPolicy {
    return (this.pod.spec?.restartPolicy ?? 'Always') as RestartPolicy;
  }

  private shouldRestart(c: ContainerState): boolean {
    return shouldRestart(c, this.restartPolicy);
  }

  private async syncPod(epoch: number): Promise<void> {
    const status = this.currentStatus();
    if (isTerminalPhase(status.phase) || mainContainersDone(this.containers, this.restartPolicy)) {
      this.beginStop(false);
      return;
    }
    if (this.publish(false, status) && this.containers.some((c) => this.freshFailure(c))) {
      this.requestSync(draw(this.ctx.random, this.ctx.timing.relist));
      return;
    }

    if (!this.sandbox) {
      // The volume manager waits for every claim to be bound before it mounts anything; it only reports the wait
      // when it times out.
      const unbound = unboundClaims(this.pod, this.ctx.objects);
      if (unbound.length) {
        this.claimWaitSince ??= this.ctx.clock.now();
        if (this.ctx.clock.now() - this.claimWaitSince >= 120_000) {
          this.claimWaitSince = this.ctx.clock.now();
          const list = `[${unbound.join(' ')}]`;
          this.event('Warning', 'FailedMount', `Unable to attach or mount volumes: unmounted volumes=${list}, unattached volumes=${list}: timed out waiting for the condition`);
        }
        this.requestSync(500);
        return;
      }
      delete this.claimWaitSince;
      const mountError = volumeMountError(this.pod, this.ctx.lookupConfig);
      if (mountError) {
        this.event('Warning', 'FailedMount', mountError);
        this.requestSync(this.mountRetryMs);
        this.mountRetryMs = Math.min(this.mountRetryMs * 2, 122_000);
        return;
      }
      if (!(await this.wait(draw(this.ctx.random, this.ctx.timing.sandbox), epoch))) return;
      this.sandbox = true;
      this.podIP = this.pod.spec?.hostNetwork ? this.ctx.hostIP() : this.ctx.allocateIP();
      this.touch();
    }
    for (const c of containersToStart(this.containers, this.restartPolicy, this.mayRestart)) {
      const started = await this.startContainer(c, epoch);
      if (started === undefined) return;
      if (!started && c.role !== 'main') break;
    }
    this.afterSync();
  }

  /** The crash-loop gate: the first exit restarts at once, later ones wait out a doubling window. */
  private readonly mayRestart = (c: ContainerState): boolean => {
    const inst = c.current as Instance;
    const finished = inst.finishedAt ?? this.ctx.clock.now();
    const now = this.ctx.clock.now();
    if (this.restartBackoff.inBackOffSince(c.name, finished, now)) {
      this.event('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${this.podText()}`, c);
      this.setWaiting(c, 'CrashLoopBackOff', `back-off ${goDuration(this.restartBackoff.get(c.name))} restarting failed container=${c.name} pod=${this.podText()}`);
      return false;
    }
    this.restartBackoff.next(c.name, finished, now);
    return true;
  };

  /** Pulls, creates and starts one container; undefined when the work was cancelled. */
  private async startContainer(c: ContainerState, epoch: number): Promise<boolean | undefined> {
    const outcome = await this.ctx.images.ensure({
      podUID: this.uid,
      container: c.spec,
      event: (type, reason, message) => this.event(type, reason, message, c),
      backoff: this.pullBackoff,
      lastErrors: this.pullErrors,
      wait: (ms) => this.wait(ms, epoch),
    });
    if (this.epoch !== epoch) return undefined;
    if (!outcome.ok) {
      if ('aborted' in outcome) return undefined;
      this.setWaiting(c, outcome.reason, outcome.message);
      this.event('Warning', 'Failed', `Error: ${outcome.reason}`, c);
      return false;
    }
    const configError = containerConfigError(this.pod, c.spec, this.ctx.lookupConfig) ?? this.subPathProblem(c.spec);
    if (configError) {
      this.setWaiting(c, 'CreateContainerConfigError', configError);
      this.event('Warning', 'Failed', `Error: ${configError}`, c);
      return false;
    }
    if (!(await this.wait(draw(this.ctx.random, this.ctx.timing.start), epoch))) return undefined;
    const attempt = c.current ? c.current.attempt + 1 : c.previous ? c.previous.attempt + 1 : 0;
    if (c.current) c.previous = c.current;
    const inst: Instance = {
      id: `containerd://${this.ctx.random.hex(64)}`,
      attempt,
      image: outcome.image,
      startedAt: this.ctx.clock.now(),
      timers: new Set(),
    };
    c.current = inst;
    delete c.waiting;
    this.touch();
    this.event('Normal', 'Created', `Created container: ${c.name}`, c);
    this.event('Normal', 'Started', `Started container ${c.name}`, c);
    this.launch(c, inst);
    return true;
  }

  /** A subPathExpr that expands to an absolute path or climbs out of its volume fails the container. */
  private subPathProblem(spec: Container): string | undefined {
    if (!spec.volumeMounts?.some((m) => m.subPathExpr || m.subPath)) return undefined;
    const objects = this.ctx.objects;
    const env = kubeletEnv(this.pod, spec, { lookup: this.ctx.lookupConfig, ...(objects ? { services: () => objects.services() } : {}), addresses: { ...(this.podIP ? { podIP: this.podIP } : {}), hostIP: this.ctx.hostIP() } });
    return subPathError(spec, env);
  }

  private launch(c: ContainerState, inst: Instance): void {
    const host: ProcessHost = {
      now: () => this.ctx.clock.now(),
      after: (ms, fn) => {
        const h = this.ctx.wheel.after(ms, () => {
          inst.timers.delete(h);
          if (inst.finishedAt === undefined) fn();
        });
        inst.timers.add(h);
        return h;
      },
      exit: (e) => this.onExit(c, inst, e),
      random: this.ctx.random,
      timing: this.ctx.timing,
    };
    inst.process = this.ctx.runtime.start(
      {
        pod: this.pod,
        container: c.spec,
        role: c.role,
        restartCount: inst.attempt,
        image: inst.image,
        containerID: inst.id,
        ...(this.podIP ? { podIP: this.podIP } : {}),
        hostIP: this.ctx.hostIP(),
        currentPod: () => this.pod,
        lookupConfig: this.ctx.lookupConfig,
        cluster: clientLookup(this.ctx.client),
        ...(this.ctx.objects ? { objects: this.ctx.objects } : {}),
      },
      host,
    );
    if (inst.finishedAt === undefined) this.startProbes(c, inst);
  }

  // ---- probes ----

  private startProbes(c: ContainerState, inst: Instance): void {
    const spec = c.spec;
    if (c.role === 'init' || !(spec.startupProbe || spec.readinessProbe || spec.livenessProbe)) return;
    const prober = new ContainerProber(spec, inst, inst.startedAt, {
      now: () => this.ctx.clock.now(),
      after: (ms, fn) => this.ctx.wheel.after(ms, fn),
      target: inst.process?.probe,
      podIP: () => this.podIP ?? '',
      hostIP: () => this.ctx.hostIP(),
      failed: (kind, message) => this.event('Warning', 'Unhealthy', `${kind} probe failed: ${message}`, c),
      changed: () => {
        if (c.current !== inst || inst.finishedAt !== undefined) return;
        this.touch();
        if (this.stage === 'active') this.publish();
      },
      unhealthy: (kind, probe) => this.probeKill(c, inst, kind, probe),
    });
    inst.prober = prober;
    prober.start();
  }

  /** Liveness or startup gave up on the container: stop it (SIGTERM, SIGKILL after the grace period) so the
   * next sync starts it again. */
  private probeKill(c: ContainerState, inst: Instance, kind: Exclude<ProbeKind, 'Readiness'>, probe: Probe): void {
    if (this.stage !== 'active' || c.current !== inst || inst.finishedAt !== undefined || inst.stopping) return;
    this.event('Normal', 'Killing', `Container ${c.name} failed ${kind.toLowerCase()} probe, will be restarted`, c);
    inst.stopping = true;
    inst.probeKilled = true;
    inst.process?.terminate();
    const grace = probe.terminationGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
    const kill = this.ctx.wheel.after(Math.max(0, grace) * 1000, () => {
      if (inst.finishedAt !== undefined || c.current !== inst) return;
      inst.process?.kill?.();
      this.onExit(c, inst, { code: 137, reason: 'Error' });
    });
    inst.timers.add(kill);
  }

  private endInstance(inst: Instance, e: ProcessExit): void {
    inst.finishedAt = this.ctx.clock.now();
    inst.prober?.stop();
    inst.termination = { exitCode: e.code, reason: e.reason ?? (e.code === 0 ? 'Completed' : 'Error') };
    if (e.message) inst.termination.message = e.message;
    for (const t of inst.timers) t.cancel();
    inst.timers.clear();
    this.touch();
  }

  private onExit(c: ContainerState, inst: Instance, e: ProcessExit): void {
    if (inst.finishedAt !== undefined || c.current !== inst || this.stage === 'gone') return;
    this.endInstance(inst, e);
    if (this.stage === 'stopping') this.checkStopped();
    else if (this.stage === 'active') this.requestSync(draw(this.ctx.random, this.ctx.timing.relist));
  }

  /** After a sync: publish soon if it changed what the pod looks like, else wake when a backoff ends. */
  private afterSync(): void {
    if (this.stage !== 'active') return;
    const now = this.ctx.clock.now();
    if (this.version !== this.publishedVersion) {
      this.requestSync(draw(this.ctx.random, this.ctx.timing.relist));
      return;
    }
    let wake = Infinity;
    for (const c of this.containers) {
      const reason = c.waiting?.reason;
      if (!reason) continue;
      let at: number | undefined;
      if (reason === 'CrashLoopBackOff') at = this.restartBackoff.windowEnd(c.name, c.current?.finishedAt);
      else if (reason === 'ImagePullBackOff' || reason === 'ErrImagePull') at = this.pullBackoff.windowEnd(`${this.uid}_${c.spec.image ?? ''}`);
      wake = Math.min(wake, at ?? now + SYNC_RETRY_MS);
    }
    if (wake !== Infinity) this.requestSync(Math.max(0, wake - now) + draw(this.ctx.random, this.ctx.timing.backoffJitter));
  }

  // ---- stopping ----

  private graceMs(deleting: boolean): number {
    const m = this.pod.metadata;
    const seconds = deleting && typeof m?.deletionGracePeriodSeconds === 'number' ? m.deletionGracePeriodSeconds : (this.pod.spec?.terminationGracePeriodSeconds ?? 30);
    return Math.max(0, seconds) * 1000;
  }

  /** Stops the pod: for a deletion, or because its containers are done for good. */
  private beginStop(deleting: boolean): void {
    if (deleting) this.deleting = true;
    if (this.stage === 'gone') return;
    if (this.stage === 'finished') {
      if (this.deleting) void this.deleteFromApi();
      return;
    }
    const grace = this.graceMs(deleting);
    if (this.stage === 'stopping' || this.stage === 'finishing') {
      // A second delete may shorten the grace period; repeated updates of the same deletion change nothing.
      if (this.stage === 'stopping' && deleting && grace < this.graceSeen) {
        this.graceSeen = grace;
        const deadline = this.ctx.clock.now() + grace;
        if (deadline < this.deadline) this.armKill(deadline);
      }
      return;
    }
    if (deleting) this.graceSeen = grace;
    const deadline = this.ctx.clock.now() + grace;
    this.stage = 'stopping';
    this.touch();
    this.epoch++;
    this.nextSync?.cancel();
    this.nextSync = undefined;
    this.signalling = true;
    for (const c of this.containers) {
      if (!isRunning(c)) continue;
      const inst = c.current as Instance;
      inst.prober?.stop();
      this.event('Normal', 'Killing', `Stopping container ${c.name}`, c);
      inst.stopping = true;
      inst.process?.terminate();
    }
    this.signalling = false;
    this.armKill(deadline);
    this.checkStopped();
  }

  private armKill(deadline: number): void {
    this.deadline = deadline;
    this.killTimer?.cancel();
    this.killTimer = this.ctx.wheel.at(deadline, () => this.killRemaining());
  }

  private killRemaining(): void {
    if (this.stage !== 'stopping') return;
    this.signalling = true;
    for (const c of this.containers) {
      if (!isRunning(c)) continue;
      const inst = c.current as Instance;
      inst.process?.kill?.();
      this.endInstance(inst, { code: 137, reason: 'Error' });
    }
    this.signalling = false;
    this.checkStopped();
  }

  private checkStopped(): void {
    if (this.stage !== 'stopping' || this.signalling) return;
    if (this.containers.some(isRunning)) return;
    this.killTimer?.cancel();
    this.stage = 'finishing';
    void this.finish(this.epoch).catch((err) => this.ctx.log(`finishing pod ${this.name} failed`, err));
  }

  /** Everything stopped: report it, tear the sandbox down, report the terminal phase, delete if asked to. */
  private async finish(epoch: number): Promise<void> {
    const relist = draw(this.ctx.random, this.ctx.timing.relist);
    const cleanup = draw(this.ctx.random, this.ctx.timing.cleanup);
    if (relist + cleanup > 0) {
      if (!(await this.wait(relist, epoch))) return;
      this.publish();
      if (!(await this.wait(cleanup, epoch))) return;
    }
    this.releaseSandbox();
    this.stage = 'finished';
    this.touch();
    this.publish();
    this.release();
    if (this.deleting) await this.deleteFromApi();
  }

  private async deleteFromApi(): Promise<void> {
    if (this.deleteIssued || this.stage !== 'finished') return;
    this.deleteIssued = true;
    await this.writer.flushed();
    if (this.stage !== 'finished') return;
    const m = this.pod.metadata ?? {};
    try {
      await this.ctx.client.delete(podDescriptor, m.namespace, m.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
    } catch (err) {
      const code = errorCode(err);
      if (code !== 404 && code !== 409) this.ctx.log(`deleting pod ${this.name} failed`, err);
    }
  }

  // ---- taking over after a restart of the simulation ----

  private recover(): void {
    const found = recoverContainers(this.pod, this.containers, this.ctx.describeImage, this.ctx.clock.now());
    for (const c of found.running) this.launch(c, c.current as Instance);
    if (found.podIP) {
      this.sandbox = true;
      this.podIP = found.podIP;
      if (!this.pod.spec?.hostNetwork) this.ctx.reserveIP(found.podIP);
    }
  }
}
