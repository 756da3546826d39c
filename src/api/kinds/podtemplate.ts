// PodTemplate (core/v1): a stored pod template; no status, generation follows changes to `template`.
import type { ResourceDescriptor } from '../descriptor.js';
import { col, containerNames, containerImages, labelMap, nameColumn } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { dnsSubdomainName, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.js';
import { STANDARD_VERBS } from './descriptor-parts.js';
import { defaultPodTemplateSpec, validatePodTemplateSpec } from './podspec.js';

function validateTemplate(obj: KubeObject): FieldError[] {
  return validatePodTemplateSpec(obj.template ?? {}, 'template');
}

export const podTemplateDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'PodTemplate',
  listKind: 'PodTemplateList',
  plural: 'podtemplates',
  singular: 'podtemplate',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [],
  schemaType: 'io.k8s.api.core.v1.PodTemplate',
  defaults(obj) {
    if (!obj.template || typeof obj.template !== 'object') obj.template = {};
    defaultPodTemplateSpec(obj.template);
  },
  validate(obj) {
    return [...validateObjectMeta(obj, true, dnsSubdomainName), ...validateTemplate(obj)];
  },
  validateUpdate(obj, old) {
    return [...validateObjectMetaUpdate(obj, old), ...validateTemplate(obj)];
  },
  hasStatus: false,
  generation: 'spec',
  defaultPropagation: 'Background',
  table: {
    columns: [
      nameColumn,
      { ...col('Containers'), description: 'Names of each container in the template.' },
      { ...col('Images'), description: 'Images referenced by each container in the template.' },
      { ...col('Pod Labels'), description: 'The labels for the pod template.' },
    ],
    cells(obj) {
      const tpl: any = obj.template;
      return [obj.metadata.name ?? '', containerNames(tpl), containerImages(tpl), labelMap(tpl?.metadata?.labels)];
    },
  },
};
