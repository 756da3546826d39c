// core/v1 Namespace: the metadata.name label, the `kubernetes` finalizer, phase, and `kubectl get ns`.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, path } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { isQualifiedName } from '../validation/names.js';
import { dnsLabelName } from '../validation/meta.js';
import { STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { arrayOf, ensureObj, type Obj, specOf, statusOf } from './object-helpers.js';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
export const KUBERNETES_FINALIZER = 'kubernetes';

// Every namespace carries its own name as a label so namespace selectors can pick namespaces by name.
function labelWithName(ns: KubeObject): void {
  const name = ns.metadata.name;
  if (!name) return;
  ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: name };
}

function validateFinalizerName(name: string, fld: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => fieldErr.invalid(fld, name, m));
  if (!name.includes('/') && name !== KUBERNETES_FINALIZER) {
    errs.push(fieldErr.invalid(fld, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

export const namespaceDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  plural: 'namespaces',
  singular: 'namespace',
  shortNames: ['ns'],
  categories: [],
  namespaced: false,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [STATUS_SUBRESOURCE],
  schemaType: 'io.k8s.api.core.v1.Namespace',
  nameValidator: dnsLabelName,
  hasStatus: true,
  defaultPropagation: 'Background',
  defaults(ns) {
    labelWithName(ns);
    if (ns.status !== undefined) ensureObj(ns as Obj, 'status').phase ||= 'Active';
  },
  prepareForCreate(ns) {
    ns.status = { phase: 'Active' };
    const spec = ensureObj(ns as Obj, 'spec');
    const finalizers = arrayOf(spec.finalizers) as string[];
    if (!finalizers.includes(KUBERNETES_FINALIZER)) spec.finalizers = [...finalizers, KUBERNETES_FINALIZER];
    // generateName is resolved by now, so the label can name the final namespace.
    labelWithName(ns);
  },
  prepareForUpdate(ns, old) {
    const spec = ensureObj(ns as Obj, 'spec');
    const oldFinalizers = specOf(old).finalizers;
    if (oldFinalizers === undefined) delete spec.finalizers;
    else spec.finalizers = oldFinalizers;
    ns.status = old.status;
    labelWithName(ns);
  },
  validate(ns) {
    const errs: FieldError[] = [];
    arrayOf(specOf(ns).finalizers).forEach((f) => errs.push(...validateFinalizerName(String(f), path('spec', 'finalizers'))));
    return errs;
  },
  fieldLabels: {
    'status.phase': (ns) => String(statusOf(ns).phase ?? ''),
  },
  table: {
    columns: [nameColumn, col('Status'), ageColumn],
    cells: (ns, now) => [ns.metadata.name, String(statusOf(ns).phase ?? ''), objectAge(ns, now)],
  },
};
