// apps/v1 DaemonSet: defaults, validation and strategy hooks of kube-apiserver, and the `kubectl get` table.
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { errors } from '../errors.js';
import { fieldErr } from '../fielderrors.js';
import { ageColumn, col, formatLabelSelector, labelMap, nameColumn, objectAge } from '../printing.js';
import { validateLabelSelector } from '../selectors/labels.js';
import type { FieldError, KubeObject } from '../types.js';
import { nonNegative } from '../validation/meta.js';
import { CONTAINER_COLUMNS, containerCells, SELECTOR_COLUMN, STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { goIntOrString, goPointer, invalidRaw, notSupportedRaw } from './go-render.js';
import { intOrPercentValue, notMoreThan100Percent, validateIntOrPercent } from './int-or-percent.js';
import { dropZeroFields, ensureObj, isObj, type Obj, selectorConvertible, semanticEqual, specOf } from './object-helpers.js';
import { defaultPodTemplateSpec, validatePodTemplateSpec } from './podspec.js';
import {
  copyRequestMetadata,
  emptySelectorErrors,
  goStatus,
  immutableSelectorErrors,
  restartAndDeadlineErrors,
  templateMatchErrors,
} from './workload-validation.js';

/** kube keeps spec.templateGeneration internally and shows it to apps/v1 clients only as this annotation. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/** The annotation's number; a malformed one fails decoding of the request (400), as in kube. */
function templateGeneration(obj: KubeObject): number | undefined {
  const v = obj.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (v === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number.parseInt(v, 10);
}

function setTemplateGeneration(obj: KubeObject, n: number): void {
  obj.metadata.annotations = { ...obj.metadata.annotations, [TEMPLATE_GENERATION_ANNOTATION]: String(n) };
}

function defaults(obj: KubeObject): void {
  templateGeneration(obj);
  const spec = ensureObj(obj as Obj, 'spec');
  dropZeroFields(spec, ['minReadySeconds']);
  const strategy = ensureObj(spec, 'updateStrategy');
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec(ensureObj(spec, 'template'));
}

function validateRollingUpdate(ru: Obj, fld: string): FieldError[] {
  const mu = `${fld}.maxUnavailable`;
  const ms = `${fld}.maxSurge`;
  const errs = [
    ...validateIntOrPercent(ru.maxUnavailable, mu),
    ...validateIntOrPercent(ru.maxSurge, ms),
    ...notMoreThan100Percent(ru.maxUnavailable, mu),
    ...notMoreThan100Percent(ru.maxSurge, ms),
  ];
  // A node is updated either by removing its pod first or by surging a new one next to it, never both.
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) errs.push(invalidRaw(ms, goIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
  if (!hasUnavailable && !hasSurge) errs.push(fieldErr.required(mu, 'cannot be 0 when maxSurge is 0'));
  return errs;
}

function validateUpdateStrategy(strategy: Obj): FieldError[] {
  const fld = 'spec.updateStrategy';
  switch (strategy.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate':
      return isObj(strategy.rollingUpdate)
        ? validateRollingUpdate(strategy.rollingUpdate, `${fld}.rollingUpdate`)
        : [fieldErr.required(`${fld}.rollingUpdate`)];
    default: {
      const rendered = `apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(String(strategy.type ?? ''))}, RollingUpdate:${goPointer('apps.RollingUpdateDaemonSet', strategy.rollingUpdate)}}`;
      return [notSupportedRaw(fld, rendered, ['RollingUpdate', 'OnDelete'])];
    }
  }
}

function validate(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const sel = spec.selector;
  // Unlike the other workloads a missing selector is not "Required": it simply matches no template.
  const errs: FieldError[] = isObj(sel) ? validateLabelSelector(sel, 'spec.selector') : [];
  if (selectorConvertible(sel)) errs.push(...templateMatchErrors(sel, spec.template));
  errs.push(...emptySelectorErrors(sel, 'daemonset'));
  errs.push(...validatePodTemplateSpec(isObj(spec.template) ? spec.template : {}, 'spec.template'));
  errs.push(...restartAndDeadlineErrors(spec.template, 'DaemonSet'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateUpdateStrategy(isObj(spec.updateStrategy) ? spec.updateStrategy : {}));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

// The first four counters have no omitempty in DaemonSetStatus.
function normalizeStatus(status: unknown): Obj {
  return goStatus(
    status,
    ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'],
    ['observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'conditions'],
  );
}

function cells(obj: KubeObject, now: number): unknown[] {
  const ds = obj as unknown as DaemonSet;
  const st = ds.status;
  const sel = ds.spec?.selector;
  return [
    ds.metadata?.name ?? '',
    st?.desiredNumberScheduled ?? 0,
    st?.currentNumberScheduled ?? 0,
    st?.numberReady ?? 0,
    st?.updatedNumberScheduled ?? 0,
    st?.numberAvailable ?? 0,
    labelMap(ds.spec?.template?.spec?.nodeSelector),
    objectAge(obj, now),
    ...containerCells(ds.spec?.template),
    selectorConvertible(sel) ? formatLabelSelector(sel) : '<error>',
  ];
}

export const daemonSetDescriptor: ResourceDescriptor = {
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  listKind: 'DaemonSetList',
  plural: 'daemonsets',
  singular: 'daemonset',
  shortNames: ['ds'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE],
  schemaType: 'io.k8s.api.apps.v1.DaemonSet',
  defaults,
  validate,
  validateUpdate: (obj, old) => immutableSelectorErrors(specOf(obj).selector, specOf(old).selector),
  // A client may carry a generation over from elsewhere; anything below 1 starts the count at 1.
  prepareForCreate(obj) {
    obj.status = normalizeStatus({});
    const n = templateGeneration(obj);
    setTemplateGeneration(obj, n !== undefined && n >= 1 ? n : 1);
  },
  // The count is the server's: it moves exactly when the pod template changes, whatever the client sent.
  prepareForUpdate(obj, old) {
    const prev = templateGeneration(old) ?? 0;
    const changed = !semanticEqual(specOf(obj).template, specOf(old).template);
    setTemplateGeneration(obj, changed ? prev + 1 : prev);
  },
  hasStatus: true,
  // kube's status strategy only pins spec (template generation included); metadata maps come from the request.
  prepareForStatusUpdate(obj, request) {
    const gen = obj.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
    copyRequestMetadata(obj, request, ['labels', 'annotations']);
    if (gen !== undefined) obj.metadata.annotations = { ...obj.metadata.annotations, [TEMPLATE_GENERATION_ANNOTATION]: gen };
    obj.status = normalizeStatus(obj.status);
  },
  generation: 'spec',
  defaultPropagation: 'Background',
  table: {
    columns: [
      nameColumn,
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      col('Node Selector'),
      ageColumn,
      ...CONTAINER_COLUMNS,
      SELECTOR_COLUMN,
    ],
    cells,
  },
};
