// apps/v1 Deployment: defaults, validation and strategy hooks of kube-apiserver, and the `kubectl get` table.
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { errors } from '../errors.js';
import { fieldErr } from '../fielderrors.js';
import { ageColumn, col, labelSelectorString, nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { nonNegative } from '../validation/meta.js';
import { CONTAINER_COLUMNS, containerCells, SCALE_SUBRESOURCE, SELECTOR_COLUMN, STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { goIntOrString, goPointer, invalidRaw, notSupportedRaw } from './go-render.js';
import { intOrPercentValue, notMoreThan100Percent, validateIntOrPercent } from './int-or-percent.js';
import { dropZeroFields, ensureObj, isObj, type Obj, selectorConvertible, specOf } from './object-helpers.js';
import { defaultPodTemplateSpec } from './podspec.js';
import { goStatus, immutableSelectorErrors, replicaSetTemplateErrors, REPLICAS_SCALE } from './workload-validation.js';

/** Set by clients of the old extensions API to ask for a rollback; kube keeps it as spec.rollbackTo internally. */
const ROLLBACK_TO = 'deprecated.deployment.rollback.to';

/** The internal spec.rollbackTo.revision, or undefined. A malformed value fails decoding (400), as in kube. */
function rollbackRevision(obj: KubeObject): number | undefined {
  const v = obj.metadata?.annotations?.[ROLLBACK_TO];
  if (v === undefined || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v)) {
    throw errors.badRequest(`failed to parse annotation[${ROLLBACK_TO}]=${v} as int64: strconv.ParseInt: parsing "${v}": invalid syntax`);
  }
  return Number.parseInt(v, 10);
}

function defaults(obj: KubeObject): void {
  rollbackRevision(obj);
  const spec = ensureObj(obj as Obj, 'spec');
  dropZeroFields(spec, ['minReadySeconds', 'paused']);
  spec.replicas ??= 1;
  const strategy = ensureObj(spec, 'strategy');
  strategy.type ||= 'RollingUpdate';
  // Recreate has no rolling parameters; only RollingUpdate gets the 25%/25% pair.
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplateSpec(ensureObj(spec, 'template'));
}

function validateStrategy(strategy: Obj): FieldError[] {
  const fld = 'spec.strategy';
  const ru = strategy.rollingUpdate;
  switch (strategy.type) {
    case 'Recreate':
      return ru === undefined || ru === null
        ? []
        : [fieldErr.forbidden(`${fld}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")];
    case 'RollingUpdate': {
      if (!isObj(ru)) return [fieldErr.required(`${fld}.rollingUpdate`, 'this should be defaulted and never be nil')];
      const mu = `${fld}.rollingUpdate.maxUnavailable`;
      const errs = [...validateIntOrPercent(ru.maxUnavailable, mu), ...validateIntOrPercent(ru.maxSurge, `${fld}.rollingUpdate.maxSurge`)];
      // Both zero would leave the controller unable to make progress; the test is on the literal values.
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalidRaw(mu, goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, mu));
      return errs;
    }
    default: {
      const rendered = `apps.DeploymentStrategy{Type:${JSON.stringify(strategy.type ?? '')}, RollingUpdate:${goPointer('apps.RollingUpdateDeployment', ru)}}`;
      return [notSupportedRaw(fld, rendered, ['Recreate', 'RollingUpdate'])];
    }
  }
}

function validate(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [...nonNegative(spec.replicas, 'spec.replicas'), ...replicaSetTemplateErrors(spec)];
  errs.push(...validateStrategy(isObj(spec.strategy) ? spec.strategy : {}));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const rollback = rollbackRevision(obj);
  if (rollback !== undefined) errs.push(...nonNegative(rollback, 'spec.rollback.version'));
  const pds = spec.progressDeadlineSeconds;
  if (typeof pds === 'number') {
    errs.push(...nonNegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0)) {
      errs.push(fieldErr.invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

function validateUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  return immutableSelectorErrors(specOf(obj).selector, specOf(old).selector);
}

/** The deployment controller records `deployment.kubernetes.io/revision` through status writes, so those keep
 * the request's annotations; labels and spec stay as stored. */
function prepareForStatusUpdate(obj: KubeObject, request: KubeObject): void {
  const stored = obj.metadata.annotations?.[ROLLBACK_TO];
  const annotations = request.metadata?.annotations ? { ...request.metadata.annotations } : undefined;
  if (annotations) delete annotations[ROLLBACK_TO];
  if (stored !== undefined) obj.metadata.annotations = { ...annotations, [ROLLBACK_TO]: stored };
  else if (annotations) obj.metadata.annotations = annotations;
  else delete obj.metadata.annotations;
  obj.status = normalizeStatus(obj.status);
}

// Every DeploymentStatus field is omitempty; terminatingReplicas is behind a feature gate that is off.
function normalizeStatus(status: unknown): Obj {
  const out = goStatus(status, [], [
    'observedGeneration',
    'replicas',
    'updatedReplicas',
    'readyReplicas',
    'availableReplicas',
    'unavailableReplicas',
    'conditions',
  ]);
  delete out.terminatingReplicas;
  return out;
}

function cells(obj: KubeObject, now: number): unknown[] {
  const d = obj as unknown as Deployment;
  const sel = d.spec?.selector;
  const tpl = d.spec?.template;
  return [
    d.metadata?.name ?? '',
    `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
    d.status?.updatedReplicas ?? 0,
    d.status?.availableReplicas ?? 0,
    objectAge(obj, now),
    ...containerCells(tpl),
    selectorConvertible(sel) ? labelSelectorString(sel) : '<invalid>',
  ];
}

export const deploymentDescriptor: ResourceDescriptor = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  plural: 'deployments',
  singular: 'deployment',
  shortNames: ['deploy'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE, SCALE_SUBRESOURCE],
  schemaType: 'io.k8s.api.apps.v1.Deployment',
  defaults,
  validate,
  validateUpdate,
  prepareForCreate(obj) {
    obj.status = {};
  },
  hasStatus: true,
  prepareForStatusUpdate,
  generation: 'spec+annotations',
  defaultPropagation: 'Background',
  scale: REPLICAS_SCALE,
  table: {
    columns: [
      nameColumn,
      col('Ready'),
      col('Up-to-date'),
      col('Available'),
      ageColumn,
      ...CONTAINER_COLUMNS,
      SELECTOR_COLUMN,
    ],
    cells,
  },
};
