// Validation of regular, init and ephemeral containers, with kube-apiserver's field paths and wording.
import { fieldErr, path } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { isDNS1123Label } from '../validation/names.js';
import { validateEnv, validateEnvFrom } from './podspec-env.js';
import { validateResourceRequirements } from './podspec-quantities.js';
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

// Port names: IANA service names, lower case.
export function portNameProblems(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

const PORT_RANGE_MSG = 'must be between 1 and 65535, inclusive';

function isValidPortNum(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

function validatePorts(ports: unknown, fld: string): FieldError[] {
  if (!Array.isArray(ports)) return [];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port: any, i) => {
    const p = path(fld, i);
    port ??= {};
    if (typeof port.name === 'string' && port.name.length > 0) {
      const problems = portNameProblems(port.name);
      if (problems.length > 0) for (const m of problems) errs.push(fieldErr.invalid(path(p, 'name'), port.name, m));
      else if (names.has(port.name)) errs.push(fieldErr.duplicate(path(p, 'name'), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(fieldErr.required(path(p, 'containerPort')));
    else if (!isValidPortNum(port.containerPort)) errs.push(fieldErr.invalid(path(p, 'containerPort'), port.containerPort, PORT_RANGE_MSG));
    if (port.hostPort && !isValidPortNum(port.hostPort)) errs.push(fieldErr.invalid(path(p, 'hostPort'), port.hostPort, PORT_RANGE_MSG));
    if (!port.protocol) errs.push(fieldErr.required(path(p, 'protocol')));
    else if (!['SCTP', 'TCP', 'UDP'].includes(port.protocol)) errs.push(fieldErr.notSupported(path(p, 'protocol'), port.protocol, ['SCTP', 'TCP', 'UDP']));
  });
  return errs;
}

function hostPortConflicts(containers: any[], fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c: any, ci) => {
    (Array.isArray(c?.ports) ? c.ports : []).forEach((port: any, pi: number) => {
      if (!port?.hostPort) return;
      const k = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${port.hostPort}`;
      if (seen.has(k)) errs.push(fieldErr.duplicate(path(path(path(path(fld, ci), 'ports'), pi), 'hostPort'), k));
      else seen.add(k);
    });
  });
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

const ID_RANGE_MSG = 'must be between 0 and 4294967295, inclusive';

export function validIdErrors(v: unknown, fld: string): FieldError[] {
  if (typeof v === 'number' && (v < 0 || v > 0xffffffff)) return [fieldErr.invalid(fld, v, ID_RANGE_MSG)];
  return [];
}

export function validateSeccompProfile(sp: any, fld: string): FieldError[] {
  if (!sp || typeof sp !== 'object') return [];
  const errs: FieldError[] = [];
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (!sp.type) errs.push(fieldErr.required(path(fld, 'type'), 'type is required when seccompProfile is set'));
  else if (!types.includes(sp.type)) errs.push(fieldErr.notSupported(path(fld, 'type'), sp.type, types));
  if (sp.type === 'Localhost') {
    if (sp.localhostProfile === undefined || sp.localhostProfile === null) {
      errs.push(fieldErr.required(path(fld, 'localhostProfile'), 'must be set when seccomp type is Localhost'));
    } else errs.push(...localDescendingPath(String(sp.localhostProfile), path(fld, 'localhostProfile')));
  } else if (sp.localhostProfile !== undefined && sp.localhostProfile !== null) {
    errs.push(fieldErr.invalid(path(fld, 'localhostProfile'), sp, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

export function validateAppArmorProfile(ap: any, fld: string): FieldError[] {
  if (!ap || typeof ap !== 'object') return [];
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (ap.type === 'Localhost') {
    const lp = ap.localhostProfile;
    if (typeof lp !== 'string' || lp.trim() === '') {
      if (typeof lp === 'string' && lp !== lp.trim()) return [fieldErr.invalid(path(fld, 'localhostProfile'), lp, 'must not be padded with whitespace')];
      return [fieldErr.required(path(fld, 'localhostProfile'), 'must be set when AppArmor type is Localhost')];
    }
    if (lp !== lp.trim()) return [fieldErr.invalid(path(fld, 'localhostProfile'), lp, 'must not be padded with whitespace')];
    return [];
  }
  if (ap.type === 'RuntimeDefault' || ap.type === 'Unconfined') {
    if (ap.localhostProfile !== undefined && ap.localhostProfile !== null) {
      return [fieldErr.invalid(path(fld, 'localhostProfile'), ap.localhostProfile, 'can only be set when AppArmor type is Localhost')];
    }
    return [];
  }
  if (!ap.type) return [fieldErr.required(path(fld, 'type'), 'type is required when appArmorProfile is set')];
  return [fieldErr.notSupported(path(fld, 'type'), ap.type, types)];
}

function validateSecurityContext(sc: any, fld: string, hostUsers: boolean): FieldError[] {
  if (!sc || typeof sc !== 'object') return [];
  const errs: FieldError[] = [];
  errs.push(...validIdErrors(sc.runAsUser, path(fld, 'runAsUser')));
  errs.push(...validIdErrors(sc.runAsGroup, path(fld, 'runAsGroup')));
  if (sc.procMount !== undefined && sc.procMount !== null) {
    if (sc.procMount !== 'Default' && sc.procMount !== 'Unmasked') {
      errs.push(fieldErr.notSupported(path(fld, 'procMount'), sc.procMount, ['Default', 'Unmasked']));
    }
    if (hostUsers && sc.procMount === 'Unmasked') {
      errs.push(fieldErr.invalid(path(fld, 'procMount'), sc.procMount, '`hostUsers` must be false to use `Unmasked`'));
    }
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path(fld, 'seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) {
      errs.push(fieldErr.invalid(fld, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    }
    for (const cap of Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : []) {
      if (cap === 'CAP_SYS_ADMIN') {
        errs.push(fieldErr.invalid(fld, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
      }
    }
  }
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, path(fld, 'appArmorProfile')));
  return errs;
}

function nonNegative(v: unknown, fld: string): FieldError[] {
  return typeof v === 'number' && v < 0 ? [fieldErr.invalid(fld, v, 'must be greater than or equal to 0')] : [];
}

function validateProbe(probe: any, fld: string, gracePeriod: number | undefined, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
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

function validateLifecycle(lc: any, fld: string, gracePeriod: number | undefined): FieldError[] {
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
      errs.push(...portNumOrName(a.port, path(p, 'port')));
      if (a.scheme !== 'HTTP' && a.scheme !== 'HTTPS') errs.push(fieldErr.notSupported(path(p, 'scheme'), a.scheme ?? '', ['HTTP', 'HTTPS']));
      for (const hdr of Array.isArray(a.httpHeaders) ? a.httpHeaders : []) {
        if (!/^[-A-Za-z0-9]+$/.test(String(hdr?.name ?? ''))) {
          errs.push(fieldErr.invalid(path(p, 'httpHeaders'), hdr?.name ?? '',
            "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"));
        }
      }
    }
    if (kind === 'tcpSocket') errs.push(...portNumOrName(a.port, path(p, 'port')));
    if (kind === 'grpc') errs.push(...portNumOrName(typeof a.port === 'number' ? a.port : 0, path(p, 'port')));
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

export function portNumOrName(port: unknown, fld: string): FieldError[] {
  if (typeof port === 'string') return portNameProblems(port).map((m) => fieldErr.invalid(fld, port, m));
  const n = typeof port === 'number' ? port : 0;
  return isValidPortNum(n) ? [] : [fieldErr.invalid(fld, n, PORT_RANGE_MSG)];
}
