// `endpointslice-controller`: keeps a selector service's discovery.k8s.io/v1 EndpointSlices (IPv4, at most
// 100 endpoints each, owned by the service so the garbage collector removes them with it) in line with the
// pods it selects. Slices of services without a selector belong to whoever wrote them.
import { ApiError } from '../../api/errors.js';
import { endpointSliceDescriptor } from '../../api/kinds/endpointslice.js';
import { nodeDescriptor } from '../../api/kinds/node.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { serviceDescriptor } from '../../api/kinds/service.js';
import type { KubeObject } from '../../api/types.js';
import { deepEqualJson } from '../../api/validation/meta.js';
import { labelsFor } from '../endpoints/controller.js';
import { podSelectorOf, selectedPods, servicesSelecting } from '../endpoints/service-pods.js';
import { TRIGGER_TIME_ANNOTATION, TriggerTimeTracker } from '../endpoints/trigger-time.js';
import type { ControllerContext, ControllerDefinition } from '../runtime/controller.js';
import { controllerRefOf, errorMessage, isNotFound } from '../runtime/claim.js';
import { desiredGroups } from './desired.js';
import { planSlices, type SliceContent } from './plan.js';
import { SliceWrites } from './stale.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
const ADDRESS_TYPE = 'IPv4';
const ZONE_LABEL = 'topology.kubernetes.io/zone';

function sliceLabels(svc: KubeObject): Record<string, string> {
  const labels = labelsFor(svc);
  return { ...labels, [SERVICE_NAME_LABEL]: svc.metadata.name ?? '', [MANAGED_BY_LABEL]: CONTROLLER_NAME };
}

function withContent(base: KubeObject, content: SliceContent): KubeObject {
  const out: KubeObject = { ...base, addressType: ADDRESS_TYPE, endpoints: content.endpoints };
  if (content.ports.length) out.ports = content.ports;
  else delete out.ports;
  return out;
}

function withMeta(meta: KubeObject['metadata'], labels: Record<string, string>, triggerTime: string | undefined): KubeObject['metadata'] {
  const annotations = { ...(meta.annotations ?? {}) };
  if (triggerTime) annotations[TRIGGER_TIME_ANNOTATION] = triggerTime;
  else delete annotations[TRIGGER_TIME_ANNOTATION];
  const out = { ...meta, labels };
  if (Object.keys(annotations).length) out.annotations = annotations;
  else delete out.annotations;
  return out;
}

function newSlice(svc: KubeObject, labels: Record<string, string>, triggerTime: string | undefined): KubeObject {
  const ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name ?? '', uid: svc.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }];
  const metadata = withMeta({ generateName: `${svc.metadata.name}-`, namespace: svc.metadata.namespace, ownerReferences }, labels, triggerTime);
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata };
}

export function endpointSliceController(): ControllerDefinition {
  const triggers = new TriggerTimeTracker();
  const writes = new SliceWrites();

  const sync = async (key: string, svc: KubeObject, ctx: ControllerContext): Promise<void> => {
    const selector = podSelectorOf(svc);
    if (!selector) return;
    const slices = ctx.informers.informer(endpointSliceDescriptor);
    const ns = svc.metadata.namespace;
    const mine = slices
      .byIndex('label', `${SERVICE_NAME_LABEL}=${svc.metadata.name}`)
      .filter((s) => s.metadata.namespace === ns && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME && !s.metadata.deletionTimestamp);
    // Slices left by an earlier service of the same name, or of another address type, have no place here.
    const usable = (s: KubeObject) => controllerRefOf(s)?.uid === svc.metadata.uid && s.addressType === ADDRESS_TYPE;
    const pods = selectedPods(svc, selector, ctx.informers.informer(podDescriptor));
    const nodes = ctx.informers.informer(nodeDescriptor);
    const groups = desiredGroups(svc, pods, (n) => nodes.get(undefined, n)?.metadata.labels?.[ZONE_LABEL]);
    const plan = planSlices(mine.filter(usable), groups);
    plan.delete.push(...mine.filter((s) => !usable(s)));

    const labels = sliceLabels(svc);
    const relabel = plan.keep.filter((s) => !deepEqualJson(s.metadata.labels ?? {}, labels));
    if (!plan.create.length && !plan.update.length && !plan.delete.length && !relabel.length) return;
    const triggerTime = triggers.compute(svc, pods);

    for (const content of plan.create) {
      writes.wrote(key, await ctx.client.create(endpointSliceDescriptor, ns, withContent(newSlice(svc, labels, triggerTime), content)));
    }
    for (const { slice, content } of plan.update) {
      const next = withContent({ ...slice, metadata: withMeta(slice.metadata, labels, triggerTime) }, content);
      writes.wrote(key, await ctx.client.update(endpointSliceDescriptor, ns, next));
    }
    for (const slice of relabel) {
      writes.wrote(key, await ctx.client.update(endpointSliceDescriptor, ns, { ...slice, metadata: { ...slice.metadata, labels } }));
    }
    for (const slice of plan.delete) {
      try {
        await ctx.client.delete(endpointSliceDescriptor, ns, slice.metadata.name ?? '');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      writes.deleted(key, slice);
    }
  };

  return {
    name: 'endpointslice-controller',
    for: serviceDescriptor,
    owns: [endpointSliceDescriptor],
    watches: [{ resource: podDescriptor, map: (pod, ctx) => servicesSelecting(pod, ctx.informers.informer(serviceDescriptor)) }],
    workers: 2,
    setup(ctx) {
      for (const r of [serviceDescriptor, podDescriptor, endpointSliceDescriptor, nodeDescriptor]) ctx.informers.informer(r);
    },
    async reconcile(key, ctx) {
      const svc = ctx.informers.informer(serviceDescriptor).getByKey(key);
      if (!svc) {
        // The slices carry the service as their owner: the garbage collector removes them.
        triggers.forget(key);
        writes.forget(key);
        return;
      }
      const slices = ctx.informers.informer(endpointSliceDescriptor);
      // The cache will deliver our own writes, and that event brings the service back here.
      if (writes.stale(key, (name) => slices.get(svc.metadata.namespace, name))) return { requeueAfter: 1000 };
      try {
        await sync(key, svc, ctx);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409)) {
          ctx.recorder.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${errorMessage(err)}`);
        }
        throw err;
      }
      return undefined;
    },
  };
}
