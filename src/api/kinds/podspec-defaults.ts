// Defaulting of a pod spec the way kube-apiserver's v1 defaulters fill it in. Everything here mutates in place and
// tolerates half-formed input, because defaulting runs before validation has had a chance to complain.
import { imagePullPolicyFor } from './image-reference.js';
import { isObj, type Obj } from './object-helpers.js';
import { normalizeResourceList } from './podspec-quantities.js';

function each(list: unknown, fn: (item: Obj) => void): void {
  if (!Array.isArray(list)) return;
  for (const item of list) if (isObj(item)) fn(item);
}

/** Defaults shared by every embedded PodSpec (templates included). Pod-only defaults live in pod.ts. */
export function defaultPodSpec(spec: any): void {
  if (!isObj(spec)) return;
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  mirrorServiceAccount(spec);
  each(spec.volumes, defaultVolume);
  for (const list of [spec.initContainers, spec.containers, spec.ephemeralContainers]) each(list, defaultContainer);
  if (isObj(spec.overhead)) normalizeResourceList(spec.overhead);
}

export function defaultPodTemplateSpec(tpl: any): void {
  if (!isObj(tpl)) return;
  if (!isObj(tpl.spec)) tpl.spec = {};
  defaultPodSpec(tpl.spec);
}

// The v1 wire type carries the deprecated `serviceAccount` next to `serviceAccountName`; the internal type has only
// one, so a round trip through the apiserver makes both say the same thing.
function mirrorServiceAccount(spec: Obj): void {
  if (!spec.serviceAccountName && typeof spec.serviceAccount === 'string' && spec.serviceAccount) {
    spec.serviceAccountName = spec.serviceAccount;
  }
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  else delete spec.serviceAccount;
}

// In the order kube-apiserver checks them, so "more than 1 volume type" names the same field.
const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc',
  'flexVolume', 'configMap', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk',
  'storageos', 'projected', 'scaleIO', 'csi', 'ephemeral', 'image',
];

export function volumeSourceKeys(vol: Obj): string[] {
  return VOLUME_SOURCES.filter((k) => vol[k] !== undefined && vol[k] !== null);
}

function defaultVolume(vol: Obj): void {
  if (volumeSourceKeys(vol).length === 0) vol.emptyDir = {};
  if (isObj(vol.hostPath)) vol.hostPath.type ??= '';
  if (isObj(vol.secret)) vol.secret.defaultMode ??= 420;
  if (isObj(vol.configMap)) vol.configMap.defaultMode ??= 420;
  if (isObj(vol.downwardAPI)) {
    vol.downwardAPI.defaultMode ??= 420;
    each(vol.downwardAPI.items, defaultDownwardAPIFile);
  }
  if (isObj(vol.projected)) {
    vol.projected.defaultMode ??= 420;
    each(vol.projected.sources, (src) => {
      if (isObj(src.downwardAPI)) each(src.downwardAPI.items, defaultDownwardAPIFile);
      if (isObj(src.serviceAccountToken)) src.serviceAccountToken.expirationSeconds ??= 3600;
    });
  }
  if (isObj(vol.iscsi)) vol.iscsi.iscsiInterface ||= 'default';
  if (isObj(vol.rbd)) {
    vol.rbd.pool ||= 'rbd';
    vol.rbd.user ||= 'admin';
    vol.rbd.keyring ||= '/etc/ceph/keyring';
  }
  if (isObj(vol.azureDisk)) {
    vol.azureDisk.cachingMode ??= 'ReadWrite';
    vol.azureDisk.kind ??= 'Shared';
    vol.azureDisk.fsType ??= 'ext4';
    vol.azureDisk.readOnly ??= false;
  }
  if (isObj(vol.scaleIO)) {
    vol.scaleIO.storageMode ||= 'ThinProvisioned';
    vol.scaleIO.fsType ||= 'xfs';
  }
  const claimSpec = vol.ephemeral?.volumeClaimTemplate?.spec;
  if (isObj(claimSpec)) {
    claimSpec.volumeMode ??= 'Filesystem';
    if (isObj(claimSpec.resources)) {
      if (isObj(claimSpec.resources.limits)) normalizeResourceList(claimSpec.resources.limits);
      if (isObj(claimSpec.resources.requests)) normalizeResourceList(claimSpec.resources.requests);
    }
  }
  if (isObj(vol.image) && !vol.image.pullPolicy) vol.image.pullPolicy = imagePullPolicyFor(String(vol.image.reference ?? ''));
}

function defaultDownwardAPIFile(file: Obj): void {
  if (isObj(file.fieldRef)) file.fieldRef.apiVersion ||= 'v1';
}

function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imagePullPolicyFor(typeof c.image === 'string' ? c.image : '');
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  each(c.ports, (p) => {
    p.protocol ||= 'TCP';
  });
  each(c.env, (e) => {
    if (isObj(e.valueFrom) && isObj(e.valueFrom.fieldRef)) e.valueFrom.fieldRef.apiVersion ||= 'v1';
  });
  // Resources is a plain struct in Go, so it is always serialized, as `{}` when empty.
  if (!isObj(c.resources)) c.resources = {};
  if (isObj(c.resources.limits)) normalizeResourceList(c.resources.limits);
  if (isObj(c.resources.requests)) normalizeResourceList(c.resources.requests);
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) if (isObj(probe)) defaultProbe(probe);
  if (isObj(c.lifecycle)) {
    for (const hook of [c.lifecycle.postStart, c.lifecycle.preStop]) {
      if (isObj(hook) && isObj(hook.httpGet)) defaultHTTPGet(hook.httpGet);
    }
  }
}

function defaultProbe(probe: Obj): void {
  // Go zero values count as unset, so an explicit 0 is replaced too.
  if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
  if (!probe.periodSeconds) probe.periodSeconds = 10;
  if (!probe.successThreshold) probe.successThreshold = 1;
  if (!probe.failureThreshold) probe.failureThreshold = 3;
  if (isObj(probe.httpGet)) defaultHTTPGet(probe.httpGet);
  if (isObj(probe.grpc)) probe.grpc.service ??= '';
}

function defaultHTTPGet(h: Obj): void {
  h.path ||= '/';
  h.scheme ||= 'HTTP';
}
