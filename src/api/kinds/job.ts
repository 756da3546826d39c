// batch/v1 Job: defaults, the selector the API server generates from the uid, validation and `kubectl get jobs`.
import { clone } from '../meta.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, key } from '../fielderrors.js';
import { ageColumn, col, formatLabelSelector, humanDuration, nameColumn, objectAge } from '../printing.js';
import { validateLabelSelector } from '../selectors/labels.js';
import type { FieldError, KubeObject } from '../types.js';
import { isDNS1123Label } from '../validation/names.js';
import { immutableField } from '../validation/meta.js';
import { CONTAINER_COLUMNS, containerCells, SELECTOR_COLUMN, STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { goLabelSelector, goStringMap, invalidRaw } from './go-render.js';
import { validateJobSpecFields } from './jobspec.js';
import { ensureObj, isObj, type Obj, selectorMatches, semanticEqual, specOf } from './object-helpers.js';
import { defaultPodTemplateSpec } from './podspec.js';

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';

const MAX_INT32 = 2147483647;

function defaultJob(job: KubeObject): void {
  const spec = ensureObj(job as Obj, 'spec');
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? MAX_INT32 : 6;
  copyTemplateLabels(job);
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= isObj(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  if (isObj(spec.podFailurePolicy) && Array.isArray(spec.podFailurePolicy.rules)) {
    for (const rule of spec.podFailurePolicy.rules) {
      if (!isObj(rule) || !Array.isArray(rule.onPodConditions)) continue;
      for (const p of rule.onPodConditions) if (isObj(p)) p.status ||= 'True';
    }
  }
  defaultPodTemplateSpec(ensureObj(spec, 'template'));
}

// kube-apiserver shares the template's label map with an unlabeled Job, so a Job read back carries the
// template labels, including the generated ones.
function copyTemplateLabels(job: KubeObject): void {
  const tpl = specOf(job).template;
  const labels = isObj(tpl) && isObj(tpl.metadata) ? tpl.metadata.labels : undefined;
  if (isObj(labels) && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...labels };
}

/** Labels and selector tying pods to exactly this Job; needs metadata.uid, so it runs after the server set it. */
export function generateJobSelector(job: KubeObject): void {
  const spec = ensureObj(job as Obj, 'spec');
  const meta = ensureObj(ensureObj(spec, 'template'), 'metadata');
  const labels = ensureObj(meta, 'labels');
  const name = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(k in labels)) labels[k] = name;
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (!(k in labels)) labels[k] = uid;
  const selector = ensureObj(spec, 'selector');
  const match = ensureObj(selector, 'matchLabels');
  if (!(CONTROLLER_UID_LABEL in match)) match[CONTROLLER_UID_LABEL] = uid;
}

function templateLabels(spec: Obj): Record<string, string> | undefined {
  const tpl = spec.template;
  return isObj(tpl) && isObj(tpl.metadata) && isObj(tpl.metadata.labels) ? tpl.metadata.labels : undefined;
}

function hasLabel(labels: Record<string, string> | undefined, k: string, want: string): FieldError[] {
  const fld = key('spec.template.metadata.labels', k);
  if (!labels || !(k in labels)) return [fieldErr.required(fld, `must be '${want}'`)];
  return labels[k] === want ? [] : [invalidRaw(fld, goStringMap(labels), `must be '${want}'`)];
}

// Only the API server may pick the selector unless manualSelector is set; the template must carry its labels.
function validateGeneratedSelector(job: KubeObject): FieldError[] {
  const spec = specOf(job);
  if (spec.manualSelector === true || !isObj(spec.selector)) return [];
  const errs: FieldError[] = [];
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  if (!uid) errs.push(fieldErr.required('metadata.uid'));
  const labels = templateLabels(spec);
  errs.push(...hasLabel(labels, LEGACY_CONTROLLER_UID_LABEL, uid), ...hasLabel(labels, LEGACY_JOB_NAME_LABEL, name));
  const expected: Record<string, string> = {};
  errs.push(...hasLabel(labels, CONTROLLER_UID_LABEL, uid), ...hasLabel(labels, JOB_NAME_LABEL, name));
  expected[CONTROLLER_UID_LABEL] = uid;
  expected[JOB_NAME_LABEL] = name;
  expected[LEGACY_CONTROLLER_UID_LABEL] = uid;
  expected[LEGACY_JOB_NAME_LABEL] = name;
  if (selectorMatches(spec.selector, expected) === false) {
    errs.push(invalidRaw('spec.selector', goLabelSelector(spec.selector), '`selector` not auto-generated'));
  }
  return errs;
}

function validateSelectorAndTemplate(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(spec.selector)) errs.push(fieldErr.required('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  // A missing selector selects nothing, so a template always fails to match it.
  if (selectorMatches(spec.selector, templateLabels(spec) ?? {}) === false) {
    errs.push(invalidRaw('spec.template.metadata.labels', goStringMap(templateLabels(spec)), '`selector` does not match template `labels`'));
  }
  return errs;
}

function validateJob(job: KubeObject): FieldError[] {
  const spec = specOf(job);
  const errs = [...validateGeneratedSelector(job), ...validateJobSpecFields(spec, 'spec'), ...validateSelectorAndTemplate(spec)];
  if (spec.completionMode === 'Indexed' && typeof spec.completions === 'number' && spec.completions > 0) {
    const host = `${job.metadata.name ?? ''}-${spec.completions - 1}`;
    if (isDNS1123Label(host).length > 0) {
      errs.push(fieldErr.invalid('metadata.name', job.metadata.name ?? '', `will not able to create pod with invalid DNS label: ${host}`));
    }
  }
  return errs;
}

// Node affinity, node selector, tolerations, scheduling gates and template metadata may change while a job is
// suspended and has never started; everything else in the template is fixed.
function validateTemplateUpdate(spec: Obj, old: Obj, oldStatus: Obj): FieldError[] {
  let oldTpl = old.template;
  const tpl = spec.template;
  if (old.suspend === true && !oldStatus.startTime && isObj(oldTpl) && isObj(tpl)) {
    oldTpl = clone(oldTpl);
    const o = ensureObj(oldTpl, 'spec');
    const n = isObj(tpl.spec) ? tpl.spec : {};
    const oldAff = isObj(o.affinity) ? o.affinity : undefined;
    const newAff = isObj(n.affinity) ? n.affinity : undefined;
    if (!newAff && oldAff) {
      delete oldAff.nodeAffinity;
      if (Object.keys(oldAff).length === 0) delete o.affinity;
    } else if (newAff && !oldAff) o.affinity = newAff.nodeAffinity === undefined ? {} : { nodeAffinity: newAff.nodeAffinity };
    else if (newAff && oldAff) {
      if (newAff.nodeAffinity === undefined) delete oldAff.nodeAffinity;
      else oldAff.nodeAffinity = newAff.nodeAffinity;
    }
    for (const k of ['nodeSelector', 'tolerations', 'schedulingGates']) {
      if (n[k] === undefined) delete o[k];
      else o[k] = n[k];
    }
    const om = ensureObj(oldTpl, 'metadata');
    const nm = isObj(tpl.metadata) ? tpl.metadata : {};
    for (const k of ['annotations', 'labels']) {
      if (nm[k] === undefined) delete om[k];
      else om[k] = nm[k];
    }
  }
  return semanticEqual(tpl, oldTpl) ? [] : immutableField(tpl, oldTpl, 'spec.template');
}

function validateCompletionsUpdate(spec: Obj, old: Obj): FieldError[] {
  if (spec.completionMode !== 'Indexed') return semanticEqual(spec.completions, old.completions) ? [] : immutableField(spec.completions ?? null, old.completions ?? null, 'spec.completions');
  if (semanticEqual(spec.completions, old.completions) || spec.completions == null) return [];
  if (spec.completions !== spec.parallelism) {
    return [fieldErr.invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism')];
  }
  return [];
}

function validateJobUpdate(job: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(job);
  const o = specOf(old);
  const errs: FieldError[] = validateCompletionsUpdate(spec, o);
  if (!semanticEqual(spec.selector, o.selector)) errs.push(invalidRaw('spec.selector', goLabelSelector(spec.selector), 'field is immutable'));
  errs.push(...validateTemplateUpdate(spec, o, isObj(old.status) ? old.status : {}));
  for (const k of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy']) {
    if (!semanticEqual(spec[k], o[k])) errs.push(...immutableField(spec[k] ?? null, o[k] ?? null, `spec.${k}`));
  }
  return errs;
}

function conditionTrue(job: KubeObject, type: string): boolean {
  const conds = isObj(job.status) && Array.isArray(job.status.conditions) ? job.status.conditions : [];
  return conds.some((c: Obj) => isObj(c) && c.type === type && c.status === 'True');
}

function jobStatusCell(job: KubeObject): string {
  if (conditionTrue(job, 'Complete')) return 'Complete';
  if (conditionTrue(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (conditionTrue(job, 'Suspended')) return 'Suspended';
  if (conditionTrue(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completionsCell(job: KubeObject): string {
  const spec = specOf(job);
  const succeeded = Number((job.status as Obj | undefined)?.succeeded ?? 0);
  if (typeof spec.completions === 'number') return `${succeeded}/${spec.completions}`;
  const parallelism = typeof spec.parallelism === 'number' ? spec.parallelism : 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function durationCell(job: KubeObject, now: number): string {
  const st = (job.status ?? {}) as Obj;
  if (!st.startTime) return '';
  const start = Date.parse(st.startTime);
  const end = st.completionTime ? Date.parse(st.completionTime) : now;
  return humanDuration(end - start);
}

export const jobDescriptor: ResourceDescriptor = {
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  listKind: 'JobList',
  plural: 'jobs',
  singular: 'job',
  shortNames: [],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE],
  schemaType: 'io.k8s.api.batch.v1.Job',
  hasStatus: true,
  generation: 'spec',
  defaultPropagation: 'Orphan',
  defaults: defaultJob,
  prepareForCreate(job) {
    job.status = {};
    if (specOf(job).manualSelector !== true) generateJobSelector(job);
    copyTemplateLabels(job);
  },
  prepareForUpdate(job, old) {
    job.status = old.status;
  },
  validate: validateJob,
  validateUpdate: validateJobUpdate,
  fieldLabels: {
    'status.successful': (job) => String(Number((job.status as Obj | undefined)?.succeeded ?? 0)),
  },
  table: {
    columns: [
      nameColumn,
      col('Status'),
      col('Completions'),
      col('Duration'),
      ageColumn,
      ...CONTAINER_COLUMNS,
      SELECTOR_COLUMN,
    ],
    cells(job, now) {
      const tpl = specOf(job).template;
      return [
        job.metadata.name,
        jobStatusCell(job),
        completionsCell(job),
        durationCell(job, now),
        objectAge(job, now),
        ...containerCells(tpl),
        formatLabelSelector(specOf(job).selector),
      ];
    },
  },
};
