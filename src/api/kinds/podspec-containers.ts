// Validation of regular, init and ephemeral containers, with kube-apiserver's field paths and wording.
import { fieldErr, path } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { isDNS1123Label } from '../validation/names.js';
import { validateEnv, validateEnvFrom } from './podspec-env.js';
import { hostPortConflicts, validatePorts } from './podspec-ports.js';
import { validateLifecycle, validateProbe } from './podspec-probes.js';
import { validateResourceRequirements } from './podspec-quantities.js';
import { validateSecurityContext } from './podspec-security.js';
import { localDescendingPath, noBacksteps } from './podspec-volumes.js';

/** field.NotFound: kubectl shows `Not found: "x"`; the cause type differs from Invalid. */
export function notFound(field: string, value: unknown): FieldError {
  return { reason: 'FieldValueNotFound', field, message: `Not found: ${JSON.stringify(value)}` };
}

export interface ContainerContext {
  volumes: Map<string, any>;
  podClaimNames: Set<string>;
  /** spec.terminationGracePeriodSeconds (sleep hooks may not outlast it). */
  gracePeriod: number | undefined;
  restartPolicy: string;
  hostUsers: boolean;
}

export function isRestartableInitContainer(c: any): boolean {
  return c?.restartPolicy === 'Always';
}

export function validateContainers(containers: unknown, fld: string, ctx: ContainerContext): FieldError[] {
  if (!Array.isArray(containers) || containers.length === 0) return [fieldErr.required(fld)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c: any, i) => {
    const p = path(fld, i);
    c ??= {};
    errs.push(...validateContainerCommon(c, p, ctx));
    if (names.has(c.name ?? '')) errs.push(fieldErr.duplicate(path(p, 'name'), c.name ?? ''));
    else names.add(c.name ?? '');
    if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, path(p, 'lifecycle'), ctx.gracePeriod));
    errs.push(...validateProbe(c.livenessProbe, path(p, 'livenessProbe'), ctx.gracePeriod, 'liveness'));
    errs.push(...validateProbe(c.readinessProbe, path(p, 'readinessProbe'), ctx.gracePeriod, 'readiness'));
    errs.push(...validateProbe(c.startupProbe, path(p, 'startupProbe'), ctx.gracePeriod, 'startup'));
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
      errs.push(fieldErr.forbidden(path(p, 'restartPolicy'), 'may not be set for non-init containers'));
    }
  });
  errs.push(...hostPortConflicts(containers, fld));
  return errs;
}

const INIT_ONLY_MSG = 'may not be set for init containers without restartPolicy=Always';

export function validateInitContainers(inits: unknown, regular: unknown, fld: string, ctx: ContainerContext): FieldError[] {
  if (!Array.isArray(inits)) return [];
  const errs: FieldError[] = [];
  const names = new Set<string>((Array.isArray(regular) ? regular : []).map((c: any) => c?.name ?? ''));
  inits.forEach((c: any, i) => {
    const p = path(fld, i);
    c ??= {};
    errs.push(...validateContainerCommon(c, p, ctx));
    let restartAlways = false;
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
      if (c.restartPolicy !== 'Always') errs.push(fieldErr.notSupported(path(p, 'restartPolicy'), c.restartPolicy, ['Always']));
      restartAlways = c.restartPolicy === 'Always';
    }
    if (names.has(c.name ?? '')) errs.push(fieldErr.duplicate(path(p, 'name'), c.name ?? ''));
    else if (c.name) names.add(c.name);
    // Init containers run one at a time, so host ports only clash within one container.
    errs.push(...hostPortConflicts([c], fld));
    if (restartAlways) {
      if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, path(p, 'lifecycle'), ctx.gracePeriod));
      errs.push(...validateProbe(c.livenessProbe, path(p, 'livenessProbe'), ctx.gracePeriod, 'liveness'));
      errs.push(...validateProbe(c.readinessProbe, path(p, 'readinessProbe'), ctx.gracePeriod, 'readiness'));
      errs.push(...validateProbe(c.startupProbe, path(p, 'startupProbe'), ctx.gracePeriod, 'startup'));
    } else {
      for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[k]) errs.push(fieldErr.forbidden(path(p, k), INIT_ONLY_MSG));
      }
    }
    if (Array.isArray(c.resizePolicy) && c.resizePolicy.length > 0 && !restartAlways) {
      errs.push(fieldErr.invalid(path(p, 'resizePolicy'), c.resizePolicy, 'must not be set for init containers'));
    }
  });
  return errs;
}

const EPHEMERAL_FORBIDDEN = ['ports', 'resources', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resizePolicy', 'restartPolicy'];

export function validateEphemeralContainers(eph: unknown, containers: unknown, inits: unknown, fld: string, ctx: ContainerContext): FieldError[] {
  if (!Array.isArray(eph) || eph.length === 0) return [];
  const errs: FieldError[] = [];
  const others = new Set<string>();
  for (const c of [...(Array.isArray(containers) ? containers : []), ...(Array.isArray(inits) ? inits : [])]) others.add(c?.name ?? '');
  const all = new Set(others);
  eph.forEach((c: any, i) => {
    const p = path(fld, i);
    c ??= {};
    errs.push(...validateContainerCommon(c, p, ctx));
    if (all.has(c.name ?? '')) errs.push(fieldErr.duplicate(path(p, 'name'), c.name ?? ''));
    else all.add(c.name ?? '');
    if (c.targetContainerName && !others.has(c.targetContainerName)) errs.push(notFound(path(p, 'targetContainerName'), c.targetContainerName));
    for (const k of EPHEMERAL_FORBIDDEN) {
      const v = c[k];
      const empty = v === undefined || v === null || (typeof v === 'object' && Object.keys(v).length === 0);
      if (!empty) errs.push(fieldErr.forbidden(path(p, k), 'cannot be set for an Ephemeral Container'));
    }
    (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).forEach((vm: any, j: number) => {
      const vp = path(path(p, 'volumeMounts'), j);
      if (vm?.subPath) errs.push(fieldErr.forbidden(path(vp, 'subPath'), 'cannot be set for an Ephemeral Container'));
      if (vm?.subPathExpr) errs.push(fieldErr.forbidden(path(vp, 'subPathExpr'), 'cannot be set for an Ephemeral Container'));
    });
  });
  return errs;
}

function validateContainerCommon(c: any, p: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const namePath = path(p, 'name');
  if (!c.name) errs.push(fieldErr.required(namePath));
  else for (const m of isDNS1123Label(String(c.name))) errs.push(fieldErr.invalid(namePath, c.name, m));
  if (!c.image) errs.push(fieldErr.required(path(p, 'image')));
  const tmp = c.terminationMessagePolicy;
  if (!tmp) errs.push(fieldErr.required(path(p, 'terminationMessagePolicy')));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(fieldErr.notSupported(path(p, 'terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  }
  errs.push(...validatePorts(c.ports, path(p, 'ports')));
  errs.push(...validateEnv(c.env, path(p, 'env')));
  errs.push(...validateEnvFrom(c.envFrom, path(p, 'envFrom')));
  errs.push(...validateVolumeMounts(c, path(p, 'volumeMounts'), ctx.volumes));
  errs.push(...validateVolumeDevices(c, path(p, 'volumeDevices'), ctx.volumes));
  const pull = c.imagePullPolicy;
  if (!pull) errs.push(fieldErr.required(path(p, 'imagePullPolicy')));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull)) {
    errs.push(fieldErr.notSupported(path(p, 'imagePullPolicy'), pull, ['Always', 'IfNotPresent', 'Never']));
  }
  errs.push(...validateResourceRequirements(c.resources, path(p, 'resources'), ctx.podClaimNames));
  errs.push(...validateResizePolicy(c.resizePolicy, path(p, 'resizePolicy'), ctx.restartPolicy));
  errs.push(...validateSecurityContext(c.securityContext, path(p, 'securityContext'), ctx.hostUsers));
  return errs;
}

function validateVolumeMounts(c: any, fld: string, volumes: Map<string, any>): FieldError[] {
  const mounts = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
  const devices = new Map<string, string>();
  for (const d of Array.isArray(c.volumeDevices) ? c.volumeDevices : []) devices.set(d?.name ?? '', d?.devicePath ?? '');
  const devicePaths = new Set(devices.values());
  const privileged = c.securityContext?.privileged === true;
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  mounts.forEach((m: any, i: number) => {
    const p = path(fld, i);
    m ??= {};
    const name = typeof m.name === 'string' ? m.name : '';
    const mountPath = typeof m.mountPath === 'string' ? m.mountPath : '';
    if (!name) errs.push(fieldErr.required(path(p, 'name')));
    if (!volumes.has(name)) errs.push(notFound(path(p, 'name'), name));
    if (!mountPath) errs.push(fieldErr.required(path(p, 'mountPath')));
    if (mountPoints.has(mountPath)) errs.push(fieldErr.invalid(path(p, 'mountPath'), mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    if (devices.has(name)) errs.push(fieldErr.invalid(path(p, 'name'), name, 'must not already exist in volumeDevices'));
    if (devicePaths.has(mountPath)) errs.push(fieldErr.invalid(path(p, 'mountPath'), mountPath, 'must not already exist as a path in volumeDevices'));
    if (volumes.get(name)?.image) {
      if (m.subPath) errs.push(fieldErr.invalid(path(p, 'subPath'), m.subPath, 'not allowed in image volume sources'));
      if (m.subPathExpr) errs.push(fieldErr.invalid(path(p, 'subPathExpr'), m.subPathExpr, 'not allowed in image volume sources'));
    }
    // kube reports these two under the list path, not the item path.
    if (m.subPath) errs.push(...localDescendingPath(String(m.subPath), path(fld, 'subPath')));
    if (m.subPathExpr) {
      if (m.subPath) errs.push(fieldErr.invalid(path(p, 'subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...localDescendingPath(String(m.subPathExpr), path(fld, 'subPathExpr')));
    }
    if (m.mountPropagation !== undefined && m.mountPropagation !== null) {
      const mp = path(fld, 'mountPropagation');
      const supported = ['Bidirectional', 'HostToContainer', 'None'];
      if (!supported.includes(m.mountPropagation)) errs.push(fieldErr.notSupported(mp, m.mountPropagation, supported));
      if (m.mountPropagation === 'Bidirectional' && !privileged) {
        errs.push(fieldErr.forbidden(mp, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
    if (m.recursiveReadOnly !== undefined && m.recursiveReadOnly !== null) {
      const rp = path(fld, 'recursiveReadOnly');
      if (m.recursiveReadOnly === 'Enabled' || m.recursiveReadOnly === 'IfPossible') {
        if (!m.readOnly) errs.push(fieldErr.forbidden(rp, 'may only be specified when readOnly is true'));
        if (m.mountPropagation && m.mountPropagation !== 'None') {
          errs.push(fieldErr.forbidden(rp, 'may only be specified when mountPropagation is None or not specified'));
        }
      } else if (m.recursiveReadOnly !== 'Disabled') {
        errs.push(fieldErr.notSupported(rp, m.recursiveReadOnly, ['Disabled', 'Enabled', 'IfPossible']));
      }
    }
  });
  return errs;
}

function validateVolumeDevices(c: any, fld: string, volumes: Map<string, any>): FieldError[] {
  const devices = Array.isArray(c.volumeDevices) ? c.volumeDevices : [];
  if (devices.length === 0) return [];
  const mounts = new Map<string, string>();
  for (const m of Array.isArray(c.volumeMounts) ? c.volumeMounts : []) mounts.set(m?.name ?? '', m?.mountPath ?? '');
  const mountPaths = new Set(mounts.values());
  const errs: FieldError[] = [];
  const names = new Set<string>();
  const paths = new Set<string>();
  devices.forEach((d: any, i: number) => {
    const p = path(fld, i);
    const name = typeof d?.name === 'string' ? d.name : '';
    const devPath = typeof d?.devicePath === 'string' ? d.devicePath : '';
    const vol = volumes.get(name);
    if (!name) errs.push(fieldErr.required(path(p, 'name')));
    if (names.has(name)) errs.push(fieldErr.invalid(path(p, 'name'), name, 'must be unique'));
    if (vol && !vol.persistentVolumeClaim && !vol.ephemeral) {
      errs.push(fieldErr.invalid(path(p, 'name'), name, 'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode'));
    }
    if (!vol) errs.push(notFound(path(p, 'name'), name));
    if (!devPath) errs.push(fieldErr.required(path(p, 'devicePath')));
    if (paths.has(devPath)) errs.push(fieldErr.invalid(path(p, 'devicePath'), devPath, 'must be unique'));
    if (devPath && noBacksteps(devPath, '').length > 0) errs.push(fieldErr.invalid(path(p, 'devicePath'), devPath, "can not contain backsteps ('..')"));
    else paths.add(devPath);
    if (mounts.has(name)) errs.push(fieldErr.invalid(path(p, 'name'), name, 'must not already exist in volumeMounts'));
    if (mountPaths.has(devPath)) errs.push(fieldErr.invalid(path(p, 'devicePath'), devPath, 'must not already exist as a path in volumeMounts'));
    if (name) names.add(name);
  });
  return errs;
}

function validateResizePolicy(list: unknown, fld: string, podRestartPolicy: string): FieldError[] {
  if (!Array.isArray(list)) return [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  list.forEach((rp: any, i) => {
    const name = rp?.resourceName ?? '';
    if (seen.has(name)) errs.push(fieldErr.duplicate(path(fld, i), name));
    seen.add(name);
    if (!name) errs.push(fieldErr.required(fld));
    else if (name !== 'cpu' && name !== 'memory') errs.push(fieldErr.notSupported(fld, name, ['cpu', 'memory']));
    const policy = rp?.restartPolicy ?? '';
    if (!policy) errs.push(fieldErr.required(fld));
    else if (policy !== 'NotRequired' && policy !== 'RestartContainer') errs.push(fieldErr.notSupported(fld, policy, ['NotRequired', 'RestartContainer']));
    if (podRestartPolicy === 'Never' && policy !== 'NotRequired') {
      errs.push(fieldErr.invalid(fld, policy, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
    }
  });
  return errs;
}
