// Probes and lifecycle hooks: exactly one handler each, sane thresholds, sleeps within the grace period.
import { fieldErr, path } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { nonNegative } from '../validation/meta.js';
import { validatePortNumOrName } from './port-validation.js';

export function validateProbe(probe: any, fld: string, gracePeriod: number | undefined, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (!probe || typeof probe !== 'object') return [];
  const errs: FieldError[] = [];
  errs.push(...validateHandler(probe, fld, gracePeriod, ['exec', 'httpGet', 'tcpSocket', 'grpc']));
  errs.push(...nonNegative(probe.initialDelaySeconds, path(fld, 'initialDelaySeconds')));
  errs.push(...nonNegative(probe.timeoutSeconds, path(fld, 'timeoutSeconds')));
  errs.push(...nonNegative(probe.periodSeconds, path(fld, 'periodSeconds')));
  errs.push(...nonNegative(probe.successThreshold, path(fld, 'successThreshold')));
  errs.push(...nonNegative(probe.failureThreshold, path(fld, 'failureThreshold')));
  const tgps = probe.terminationGracePeriodSeconds;
  if (typeof tgps === 'number' && tgps <= 0) errs.push(fieldErr.invalid(path(fld, 'terminationGracePeriodSeconds'), tgps, 'must be greater than 0'));
  if (kind === 'readiness') {
    if (tgps !== undefined && tgps !== null) {
      errs.push(fieldErr.invalid(path(fld, 'terminationGracePeriodSeconds'), tgps, 'must not be set for readinessProbes'));
    }
  } else if ((probe.successThreshold ?? 0) !== 1) {
    errs.push(fieldErr.invalid(path(fld, 'successThreshold'), probe.successThreshold ?? 0, 'must be 1'));
  }
  return errs;
}

export function validateLifecycle(lc: any, fld: string, gracePeriod: number | undefined): FieldError[] {
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop'] as const) {
    if (lc?.[hook]) errs.push(...validateHandler(lc[hook], path(fld, hook), gracePeriod, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
  }
  return errs;
}

function validateHandler(h: any, fld: string, gracePeriod: number | undefined, kinds: string[]): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const kind of ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep']) {
    if (!kinds.includes(kind) || h[kind] === undefined || h[kind] === null) continue;
    const p = path(fld, kind);
    if (n > 0) {
      errs.push(fieldErr.forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const a = h[kind];
    if (kind === 'exec' && !(Array.isArray(a.command) && a.command.length > 0)) errs.push(fieldErr.required(path(p, 'command')));
    if (kind === 'httpGet') {
      if (!a.path) errs.push(fieldErr.required(path(p, 'path')));
      errs.push(...validatePortNumOrName(a.port, path(p, 'port')));
      if (a.scheme !== 'HTTP' && a.scheme !== 'HTTPS') errs.push(fieldErr.notSupported(path(p, 'scheme'), a.scheme ?? '', ['HTTP', 'HTTPS']));
      for (const hdr of Array.isArray(a.httpHeaders) ? a.httpHeaders : []) {
        if (!/^[-A-Za-z0-9]+$/.test(String(hdr?.name ?? ''))) {
          errs.push(fieldErr.invalid(path(p, 'httpHeaders'), hdr?.name ?? '',
            "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"));
        }
      }
    }
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(a.port, path(p, 'port')));
    if (kind === 'grpc') errs.push(...validatePortNumOrName(typeof a.port === 'number' ? a.port : 0, path(p, 'port')));
    if (kind === 'sleep' && gracePeriod !== undefined) {
      const s = typeof a.seconds === 'number' ? a.seconds : 0;
      if (s <= 0 || s > gracePeriod) {
        errs.push(fieldErr.invalid(p, s,
          `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`));
      }
    }
  }
  if (n === 0) errs.push(fieldErr.required(fld, 'must specify a handler type'));
  return errs;
}
