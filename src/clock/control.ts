// The cluster clock at run time, through the ordinary API: ConfigMap kube-system/kubeloop-clock holds
//   timeScale: "10"     cluster seconds per wall second (what `--time-scale` set at startup)
//   paused: "false"     "true" stops cluster time: timers, heartbeats, container sleeps all wait
// `kubeloop up` writes its starting settings there and applies every change (kubectl edit or patch, the
// dashboard's clock controls). A value that does not parse changes nothing: a Warning Event says why.
// The annotation kubeloop.dev/clock-anchor holds the clock's reference point (ClockAnchor: cluster time at a
// wall time, and the settings since), so every process of a cluster on etcd, and a process restarted on its
// data, tells the same time; a settings change made without one (kubectl edit) is re-anchored and written back.
import { configMapDescriptor } from '../api/kinds/configmap.js';
import type { KubeObject } from '../api/types.js';
import type { Client } from '../client/client.js';
import { createEventRecorder, type EventRecorder } from '../client/events.js';
import type { SharedInformer } from '../client/informer.js';
import type { AdjustableClock, ClockAnchor, ClockSettings } from './clock.js';

export const CLOCK_CONFIGMAP_NAMESPACE = 'kube-system';
export const CLOCK_CONFIGMAP_NAME = 'kubeloop-clock';
/** Bounds a learner cannot hurt themselves beyond (a year in a few seconds starves the event loop). */
export const MIN_TIME_SCALE = 0.01;
export const MAX_TIME_SCALE = 10_000;

export const CLOCK_ANCHOR_ANNOTATION = 'kubeloop.dev/clock-anchor';

/** The anchor a clock ConfigMap carries, if it has a well-formed one. */
export function parseClockAnchor(o: KubeObject | undefined): ClockAnchor | undefined {
  const raw = o?.metadata.annotations?.[CLOCK_ANCHOR_ANNOTATION];
  if (!raw) return undefined;
  try {
    const a = JSON.parse(raw) as Partial<ClockAnchor>;
    if (typeof a.wall !== 'number' || typeof a.cluster !== 'number' || typeof a.rate !== 'number' || typeof a.paused !== 'boolean') return undefined;
    if (!Number.isFinite(a.wall) || !Number.isFinite(a.cluster) || !(a.rate >= MIN_TIME_SCALE && a.rate <= MAX_TIME_SCALE)) return undefined;
    return { wall: a.wall, cluster: a.cluster, rate: a.rate, paused: a.paused };
  } catch {
    return undefined;
  }
}

export type ParsedClock = { ok: true; settings: Partial<ClockSettings> } | { ok: false; error: string };

/** The ConfigMap's data as clock settings; absent keys leave that setting as it is. */
export function parseClockData(data: Record<string, string> | undefined): ParsedClock {
  const settings: Partial<ClockSettings> = {};
  const scale = data?.timeScale?.trim();
  if (scale !== undefined && scale !== '') {
    const n = Number(scale);
    if (!Number.isFinite(n) || n < MIN_TIME_SCALE || n > MAX_TIME_SCALE) {
      return { ok: false, error: `data.timeScale: invalid value "${scale}": expected a number from ${MIN_TIME_SCALE} to ${MAX_TIME_SCALE}` };
    }
    settings.rate = n;
  }
  const paused = data?.paused?.trim().toLowerCase();
  if (paused !== undefined && paused !== '') {
    if (paused !== 'true' && paused !== 'false') return { ok: false, error: `data.paused: invalid value "${data?.paused}": expected "true" or "false"` };
    settings.paused = paused === 'true';
  }
  return { ok: true, settings };
}

export function clockData(s: ClockSettings): Record<string, string> {
  return { timeScale: String(s.rate), paused: String(s.paused) };
}

export interface ClockConfigMapOptions {
  client: Client;
  configMaps: SharedInformer;
  clock: AdjustableClock;
  recorder?: () => EventRecorder;
  log?: (message: string, err?: unknown) => void;
}

/** Keeps an AdjustableClock in step with the ConfigMap. `attach()` before the informer syncs, then `ensure()`. */
export class ClockConfigMap {
  private stopped = false;
  private lastRefused: string | undefined;

  constructor(private readonly opts: ClockConfigMapOptions) {}

  attach(): void {
    const mine = (o: KubeObject) => o.metadata.namespace === CLOCK_CONFIGMAP_NAMESPACE && o.metadata.name === CLOCK_CONFIGMAP_NAME;
    this.opts.configMaps.addHandler({
      add: (o) => mine(o) && this.changed(o),
      update: (_old, o) => mine(o) && this.changed(o),
      delete: (o) => {
        // Deleted: the clock keeps its settings, and the ConfigMap comes back showing them.
        if (mine(o) && !this.stopped) void this.write(false);
      },
    });
  }

  /** Creates the ConfigMap, or sets it to the clock's settings at startup (the command line decides those);
   * with `adopt`, an existing ConfigMap is left alone and its settings apply here (a process joining a
   * cluster on etcd follows the cluster's clock instead of resetting it). */
  async ensure(adopt = false): Promise<void> {
    await this.write(!adopt);
  }

  stop(): void {
    this.stopped = true;
  }

  private async write(overwrite: boolean): Promise<void> {
    const data = clockData(this.opts.clock.settings());
    const annotations = { [CLOCK_ANCHOR_ANNOTATION]: JSON.stringify(this.opts.clock.anchor()) };
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: CLOCK_CONFIGMAP_NAME, namespace: CLOCK_CONFIGMAP_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'kubeloop' }, annotations },
      data,
    };
    try {
      await this.opts.client.create(configMapDescriptor, CLOCK_CONFIGMAP_NAMESPACE, cm as unknown as KubeObject);
    } catch (err) {
      if ((err as { code?: number }).code !== 409) {
        this.opts.log?.(`creating ConfigMap ${CLOCK_CONFIGMAP_NAMESPACE}/${CLOCK_CONFIGMAP_NAME} failed`, err);
        return;
      }
      if (!overwrite) return;
      try {
        await this.opts.client.patch(configMapDescriptor, CLOCK_CONFIGMAP_NAMESPACE, CLOCK_CONFIGMAP_NAME, 'merge', { metadata: { annotations }, data }, { fieldManager: 'kubeloop' });
      } catch (e) {
        this.opts.log?.(`updating ConfigMap ${CLOCK_CONFIGMAP_NAMESPACE}/${CLOCK_CONFIGMAP_NAME} failed`, e);
      }
    }
  }

  /** Writes this clock's anchor onto the version of the ConfigMap it was derived from (409 if it moved on). */
  private async publishAnchor(o: KubeObject): Promise<void> {
    if (this.stopped) return;
    const next = { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), [CLOCK_ANCHOR_ANNOTATION]: JSON.stringify(this.opts.clock.anchor()) } } };
    try {
      await this.opts.client.update(configMapDescriptor, CLOCK_CONFIGMAP_NAMESPACE, next as KubeObject, { fieldManager: 'kubeloop' });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) this.opts.log?.(`publishing the clock anchor failed`, err);
    }
  }

  private changed(o: KubeObject): void {
    if (this.stopped) return;
    const data = (o as { data?: Record<string, string> }).data;
    const parsed = parseClockData(data);
    if (!parsed.ok) {
      const message = `invalid clock settings in ConfigMap ${CLOCK_CONFIGMAP_NAMESPACE}/${CLOCK_CONFIGMAP_NAME}, keeping time scale ${this.opts.clock.settings().rate}${this.opts.clock.settings().paused ? ' (paused)' : ''}: ${parsed.error}`;
      if (message === this.lastRefused) return;
      this.lastRefused = message;
      this.opts.log?.(message);
      this.opts.recorder?.().event(o, 'Warning', 'InvalidClockSettings', message);
      return;
    }
    this.lastRefused = undefined;
    const before = this.opts.clock.settings();
    const wanted = { ...before, ...parsed.settings };
    const anchor = parseClockAnchor(o);
    if (anchor && anchor.rate === wanted.rate && anchor.paused === wanted.paused) {
      this.opts.clock.adopt(anchor);
    } else {
      // Changed without an anchor for the new settings (kubectl edit): go on from this process's time and
      // publish that; if another process publishes first, its anchor comes back here and wins.
      this.opts.clock.set(parsed.settings);
      void this.publishAnchor(o);
    }
    const after = this.opts.clock.settings();
    if (before.rate === after.rate && before.paused === after.paused) return;
    const message = after.paused ? `Cluster clock paused (time scale ${after.rate})` : `Cluster clock running at time scale ${after.rate}${before.paused ? ', resumed' : ''}`;
    this.opts.log?.(message);
    this.opts.recorder?.().event(o, 'Normal', 'ClockChanged', message);
  }
}

/** What `kubeloop up` calls once the cluster serves: the ConfigMap created (or reset to the command line's
 * settings) and followed from then on. */
export async function startClockControl(deps: {
  client: Client;
  informers: { informer(r: typeof configMapDescriptor): SharedInformer };
  clock: AdjustableClock;
  log?: (message: string, err?: unknown) => void;
  /** Keep an existing ConfigMap's settings rather than writing the command line's (see ClockConfigMap.ensure). */
  adopt?: boolean;
}): Promise<{ stop(): void }> {
  const recorder = createEventRecorder(deps.client, deps.clock, { component: 'kubeloop-clock' });
  const cm = new ClockConfigMap({ client: deps.client, configMaps: deps.informers.informer(configMapDescriptor), clock: deps.clock, recorder: () => recorder, ...(deps.log ? { log: deps.log } : {}) });
  cm.attach();
  await cm.ensure(!!deps.adopt);
  return { stop: () => cm.stop() };
}
