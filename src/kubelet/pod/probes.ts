// The kubelet's prober for one container instance: startup, readiness and liveness workers on the shared
// timers. Each worker first probes once initialDelaySeconds have passed since the container started, then every
// periodSeconds, one probe at a time; a result counts only after successThreshold (or failureThreshold)
// identical results in a row. Readiness starts as failed, liveness as passed, and neither runs until the startup
// probe (if any) has passed. Every failed probe is reported (the Unhealthy event), threshold or not.
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import type { ProbeTarget } from '../runtime/process.js';
import { probeOnce, type ProbeOutcome } from './probe-action.js';

export type ProbeKind = 'Startup' | 'Readiness' | 'Liveness';

export interface ProberHost {
  now(): number;
  after(ms: number, fn: () => void): { cancel(): void };
  target: ProbeTarget | undefined;
  podIP(): string;
  hostIP(): string;
  /** A probe failed: the Unhealthy event. */
  failed(kind: ProbeKind, message: string): void;
  /** Started or ready changed: the status needs writing. */
  changed(): void;
  /** Liveness or startup crossed its failure threshold: the container must be killed and restarted. */
  unhealthy(kind: 'Liveness' | 'Startup', probe: Probe): void;
}

/** What the prober decides about an instance; read by the status generator. */
export interface ProbeState {
  /** False until the startup probe passes; undefined when there is none. */
  started?: boolean;
  /** The readiness probe's verdict; undefined when there is none. */
  ready?: boolean;
}

interface Worker {
  kind: ProbeKind;
  probe: Probe;
  last?: boolean;
  run: number;
  timer?: { cancel(): void };
}

export class ContainerProber {
  private readonly workers: Worker[] = [];
  private stopped = false;

  constructor(
    private readonly container: Container,
    private readonly state: ProbeState,
    private readonly startedAt: number,
    private readonly host: ProberHost,
  ) {
    if (container.startupProbe) {
      state.started = false;
      this.workers.push({ kind: 'Startup', probe: container.startupProbe, run: 0 });
    }
    if (container.readinessProbe) {
      state.ready = false;
      this.workers.push({ kind: 'Readiness', probe: container.readinessProbe, run: 0 });
    }
    if (container.livenessProbe) this.workers.push({ kind: 'Liveness', probe: container.livenessProbe, run: 0 });
  }

  start(): void {
    for (const w of this.workers) this.schedule(w, this.startedAt + (w.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.workers) w.timer?.cancel();
  }

  private schedule(w: Worker, at: number): void {
    if (this.stopped) return;
    w.timer = this.host.after(Math.max(0, at - this.host.now()), () => void this.tick(w, at));
  }

  private async tick(w: Worker, due: number): Promise<void> {
    const period = Math.max(1, w.probe.periodSeconds ?? 10) * 1000;
    const waiting = w.kind !== 'Startup' && this.state.started === false;
    const done = w.kind === 'Startup' && this.state.started === true;
    if (!waiting && !done) {
      const outcome = await probeOnce(w.probe, this.container, this.host.target, this.host);
      if (this.stopped) return;
      this.record(w, outcome);
    }
    // Ticks missed while a slow probe ran are dropped, as a Go ticker drops them.
    let next = due + period;
    while (next <= this.host.now()) next += period;
    this.schedule(w, next);
  }

  private record(w: Worker, outcome: ProbeOutcome): void {
    if (!outcome.ok) this.host.failed(w.kind, outcome.message);
    if (w.last === outcome.ok) w.run++;
    else {
      w.last = outcome.ok;
      w.run = 1;
    }
    const threshold = outcome.ok ? (w.kind === 'Readiness' ? (w.probe.successThreshold ?? 1) : 1) : (w.probe.failureThreshold ?? 3);
    if (w.run < threshold) return;
    if (w.kind === 'Readiness') {
      if (this.state.ready !== outcome.ok) {
        this.state.ready = outcome.ok;
        this.host.changed();
      }
    } else if (w.kind === 'Startup' && outcome.ok) {
      this.state.started = true;
      this.host.changed();
      // A readiness probe waiting on startup runs at once, as the kubelet triggers it manually.
      for (const r of this.workers) {
        if (r.kind === 'Readiness') {
          r.timer?.cancel();
          this.schedule(r, Math.max(this.host.now(), this.startedAt + (r.probe.initialDelaySeconds ?? 0) * 1000));
        }
      }
    } else if (!outcome.ok) {
      w.run = 0;
      this.stop();
      this.host.unhealthy(w.kind as 'Liveness' | 'Startup', w.probe);
    }
  }
}
