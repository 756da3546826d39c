// Writes the Job controller makes to pods: creating them with the tracking finalizer, taking the finalizer
// off once a finished pod is counted, and deleting pods it no longer wants.
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import { isNotFound } from '../runtime/claim.js';
import type { PodTemplate } from '../runtime/pod-control.js';
import { phaseOf } from './counting.js';
import { JOB_TRACKING_FINALIZER, type JobSpec } from './types.js';

/** The job's template with the tracking finalizer, so a pod cannot vanish before the job counted it. */
export function trackedTemplate(spec: JobSpec): PodTemplate {
  const tpl = spec.template ?? {};
  const metadata = { ...(tpl.metadata ?? {}) };
  metadata.finalizers = [...(metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER), JOB_TRACKING_FINALIZER];
  return { ...tpl, metadata };
}

/** Drops the tracking finalizer; a pod that is already gone needs nothing. Returns false when it was gone. */
export async function removeTrackingFinalizer(client: Client, pod: KubeObject): Promise<boolean> {
  const m = pod.metadata;
  try {
    await client.patch(podDescriptor, m.namespace, m.name ?? '', 'strategic', {
      metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER], uid: m.uid },
    });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export function isTerminal(pod: KubeObject): boolean {
  const p = phaseOf(pod);
  return p === 'Succeeded' || p === 'Failed';
}
