// `endpoint-controller`: keeps one core/v1 Endpoints per selector service, named like it, listing the
// addresses of the pods it selects. Services without a selector keep hand-written Endpoints (the
// `kubernetes` Service's among them); a deleted service takes its Endpoints along.
import { endpointsDescriptor } from '../../api/kinds/endpoints.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { serviceDescriptor } from '../../api/kinds/service.js';
import type { KubeObject } from '../../api/types.js';
import { deepEqualJson } from '../../api/validation/meta.js';
import { ApiError } from '../../api/errors.js';
import { objectKey, splitKey } from '../../client/informer.js';
import type { ControllerContext, ControllerDefinition } from '../runtime/controller.js';
import { errorMessage, isNotFound } from '../runtime/claim.js';
import { isHeadless, podSelectorOf, selectedPods, servicesSelecting } from './service-pods.js';
import { buildSubsets } from './subsets.js';
import { TRIGGER_TIME_ANNOTATION, TriggerTimeTracker } from './trigger-time.js';

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** The service's labels, marked headless or not (the marker is ours, whatever the service says). */
export function labelsFor(svc: KubeObject): Record<string, string> {
  const labels = { ...(svc.metadata.labels ?? {}) };
  delete labels[HEADLESS_LABEL];
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  return labels;
}

async function removeEndpoints(ctx: ControllerContext, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  try {
    await ctx.client.delete(endpointsDescriptor, namespace, name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

export function endpointsController(): ControllerDefinition {
  const triggers = new TriggerTimeTracker();

  const sync = async (svc: KubeObject, ctx: ControllerContext): Promise<void> => {
    const selector = podSelectorOf(svc);
    if (!selector) return;
    const pods = selectedPods(svc, selector, ctx.informers.informer(podDescriptor));
    const triggerTime = triggers.compute(svc, pods);
    const { subsets } = buildSubsets(svc, pods);
    const current = ctx.informers.informer(endpointsDescriptor).getByKey(objectKey(svc));
    const labels = labelsFor(svc);
    if (current && deepEqualJson(current.subsets ?? [], subsets) && deepEqualJson(current.metadata.labels ?? {}, labels)) return;

    const annotations = { ...(current?.metadata.annotations ?? {}) };
    if (triggerTime) annotations[TRIGGER_TIME_ANNOTATION] = triggerTime;
    else delete annotations[TRIGGER_TIME_ANNOTATION];
    const metadata: KubeObject['metadata'] = { ...(current?.metadata ?? { name: svc.metadata.name, namespace: svc.metadata.namespace }), labels };
    if (Object.keys(annotations).length) metadata.annotations = annotations;
    else delete metadata.annotations;
    const next: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata };
    if (subsets.length) next.subsets = subsets;
    try {
      if (current) await ctx.client.update(endpointsDescriptor, svc.metadata.namespace, next);
      else await ctx.client.create(endpointsDescriptor, svc.metadata.namespace, next);
    } catch (err) {
      // Kubernetes' controller says so on the service; a stale cache (conflict) is retried without noise.
      if (!(err instanceof ApiError && err.code === 409)) {
        ctx.recorder.event(svc, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${objectKey(svc)}: ${errorMessage(err)}`);
      }
      throw err;
    }
  };

  return {
    name: 'endpoint-controller',
    for: serviceDescriptor,
    watches: [
      { resource: podDescriptor, map: (pod, ctx) => servicesSelecting(pod, ctx.informers.informer(serviceDescriptor)) },
      // Only deletions matter (see observe): an Endpoints someone removed is put back.
      { resource: endpointsDescriptor, map: () => [] },
    ],
    workers: 2,
    setup(ctx) {
      for (const r of [serviceDescriptor, podDescriptor, endpointsDescriptor]) ctx.informers.informer(r);
    },
    observe(e, ctx) {
      if (e.resource.kind === 'Endpoints' && e.type === 'DELETED') ctx.enqueue(objectKey(e.object), 'endpoints deleted');
    },
    async reconcile(key, ctx) {
      const svc = ctx.informers.informer(serviceDescriptor).getByKey(key);
      if (!svc) {
        triggers.forget(key);
        await removeEndpoints(ctx, key);
        return;
      }
      await sync(svc, ctx);
    },
  };
}
