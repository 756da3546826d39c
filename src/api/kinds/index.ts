// Every kind kubeloop serves. Discovery lists groups in this order, and resources alphabetically within one.
import type { ResourceDescriptor } from '../descriptor.js';
import { configMapDescriptor } from './configmap.js';
import { controllerRevisionDescriptor } from './controllerrevision.js';
import { cronJobDescriptor } from './cronjob.js';
import { customResourceDefinitionDescriptor } from './customresourcedefinition.js';
import { daemonSetDescriptor } from './daemonset.js';
import { deploymentDescriptor } from './deployment.js';
import { endpointsDescriptor } from './endpoints.js';
import { endpointSliceDescriptor } from './endpointslice.js';
import { eventDescriptor } from './event.js';
import { eventsEventDescriptor } from './events-event.js';
import { jobDescriptor } from './job.js';
import { leaseDescriptor } from './lease.js';
import { limitRangeDescriptor } from './limitrange.js';
import { namespaceDescriptor } from './namespace.js';
import { nodeDescriptor } from './node.js';
import { persistentVolumeDescriptor } from './persistentvolume.js';
import { persistentVolumeClaimDescriptor } from './persistentvolumeclaim.js';
import { podDescriptor } from './pod.js';
import { podDisruptionBudgetDescriptor } from './poddisruptionbudget.js';
import { podTemplateDescriptor } from './podtemplate.js';
import { replicaSetDescriptor } from './replicaset.js';
import { replicationControllerDescriptor } from './replicationcontroller.js';
import { resourceQuotaDescriptor } from './resourcequota.js';
import { secretDescriptor } from './secret.js';
import { serviceDescriptor } from './service.js';
import { serviceAccountDescriptor } from './serviceaccount.js';
import { statefulSetDescriptor } from './statefulset.js';
import { storageClassDescriptor } from './storageclass.js';

const GROUP_ORDER = ['', 'apps', 'events.k8s.io', 'batch', 'policy', 'storage.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'apiextensions.k8s.io'];

const unordered: ResourceDescriptor[] = [
  configMapDescriptor,
  endpointsDescriptor,
  eventDescriptor,
  namespaceDescriptor,
  nodeDescriptor,
  persistentVolumeClaimDescriptor,
  persistentVolumeDescriptor,
  podDescriptor,
  podTemplateDescriptor,
  replicationControllerDescriptor,
  resourceQuotaDescriptor,
  limitRangeDescriptor,
  secretDescriptor,
  serviceAccountDescriptor,
  serviceDescriptor,
  controllerRevisionDescriptor,
  daemonSetDescriptor,
  deploymentDescriptor,
  replicaSetDescriptor,
  statefulSetDescriptor,
  eventsEventDescriptor,
  cronJobDescriptor,
  jobDescriptor,
  podDisruptionBudgetDescriptor,
  storageClassDescriptor,
  leaseDescriptor,
  endpointSliceDescriptor,
  customResourceDefinitionDescriptor,
];

export const allKinds: readonly ResourceDescriptor[] = [...unordered].sort(
  (a, b) => GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group) || (a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0),
);
