// batch/v1 CronJob: defaults, schedule and time zone validation, the job template rules and `kubectl get cj`.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr } from '../fielderrors.js';
import { age, ageColumn, col, formatLabelSelector, nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { nonNegative } from '../validation/meta.js';
import { cronScheduleError, isKnownTimeZone } from './cron-schedule.js';
import { CONTAINER_COLUMNS, containerCells, SELECTOR_COLUMN, STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { goLabelSelector, invalidRaw } from './go-render.js';
import { validateJobSpecFields } from './jobspec.js';
import { ensureObj, isObj, type Obj, specOf } from './object-helpers.js';
import { defaultPodTemplateSpec } from './podspec.js';

/** Job names are `<cronjob>-<minutes since epoch>`; 11 characters of suffix must fit a 63-character label. */
const MAX_CRONJOB_NAME = 52;
const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];
const TZ_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

function defaultCronJob(cj: KubeObject): void {
  const spec = ensureObj(cj as Obj, 'spec');
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jobSpec = ensureObj(ensureObj(spec, 'jobTemplate'), 'spec');
  defaultPodTemplateSpec(ensureObj(jobSpec, 'template'));
}

function validateSchedule(schedule: string, allowTZ: boolean, timeZone: unknown): FieldError[] {
  const errs: FieldError[] = [];
  const parseErr = cronScheduleError(schedule);
  if (parseErr) errs.push(fieldErr.invalid('spec.schedule', schedule, parseErr));
  if (allowTZ && schedule.includes('TZ') && timeZone != null) {
    errs.push(fieldErr.invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!allowTZ && schedule.includes('TZ')) {
    errs.push(fieldErr.invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return errs;
}

function validateTimeZone(tz: unknown): FieldError[] {
  if (tz == null) return [];
  const fld = 'spec.timeZone';
  const s = String(tz);
  if (s.length === 0) return [fieldErr.invalid(fld, s, 'timeZone must be nil or non-empty string')];
  for (const part of s.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TZ_PART.test(part)) return [fieldErr.invalid(fld, s, `unknown time zone ${s}`)];
  }
  const errs: FieldError[] = [];
  if (s.toLowerCase() === 'local') errs.push(fieldErr.invalid(fld, s, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  if (s !== 'Local' && !isKnownTimeZone(s)) errs.push(fieldErr.invalid(fld, s, `unknown time zone ${s}`));
  return errs;
}

function validateJobTemplate(spec: Obj): FieldError[] {
  const tpl = isObj(spec.jobTemplate) ? spec.jobTemplate : {};
  const jobSpec = isObj(tpl.spec) ? tpl.spec : {};
  const errs = validateJobSpecFields(jobSpec, 'spec.jobTemplate.spec');
  // The controller stamps a fresh selector on every Job it creates from the template.
  if (jobSpec.selector != null) errs.push(invalidRaw('spec.jobTemplate.spec.selector', goLabelSelector(jobSpec.selector), '`selector` will be auto-generated'));
  if (jobSpec.manualSelector === true) errs.push(fieldErr.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  return errs;
}

function validateCronJobSpec(spec: Obj, old?: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.schedule) errs.push(fieldErr.required('spec.schedule'));
  else errs.push(...validateSchedule(String(spec.schedule), !!old && String(old.schedule ?? '').includes('TZ'), spec.timeZone));
  if (spec.startingDeadlineSeconds != null) errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!old || old.timeZone !== spec.timeZone) errs.push(...validateTimeZone(spec.timeZone));
  const cp = spec.concurrencyPolicy;
  if (!cp) errs.push(fieldErr.required('spec.concurrencyPolicy'));
  else if (!CONCURRENCY_POLICIES.includes(cp)) errs.push(fieldErr.notSupported('spec.concurrencyPolicy', cp, CONCURRENCY_POLICIES));
  errs.push(...validateJobTemplate(spec));
  for (const k of ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) {
    if (spec[k] != null) errs.push(...nonNegative(spec[k], `spec.${k}`));
  }
  return errs;
}

function validateCronJob(cj: KubeObject): FieldError[] {
  const errs = validateCronJobSpec(specOf(cj));
  const name = cj.metadata.name ?? '';
  if (name.length > MAX_CRONJOB_NAME) errs.push(fieldErr.invalid('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME} characters`));
  return errs;
}

// The server runs `validate` on updates too; these are the update-only differences (TZ kept from an old schedule,
// time zone rechecked only when it changed). Duplicates of create-time errors are dropped by the server.
function validateCronJobUpdate(cj: KubeObject, old: KubeObject): FieldError[] {
  return validateCronJobSpec(specOf(cj), specOf(old));
}

function suspendCell(v: unknown): string {
  if (v == null) return '<unset>';
  return v ? 'True' : 'False';
}

export const cronJobDescriptor: ResourceDescriptor = {
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  listKind: 'CronJobList',
  plural: 'cronjobs',
  singular: 'cronjob',
  shortNames: ['cj'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE],
  schemaType: 'io.k8s.api.batch.v1.CronJob',
  hasStatus: true,
  generation: 'spec',
  defaultPropagation: 'Background',
  defaults: defaultCronJob,
  prepareForCreate(cj) {
    cj.status = {};
  },
  prepareForUpdate(cj, old) {
    cj.status = old.status;
  },
  validate: validateCronJob,
  validateUpdate: validateCronJobUpdate,
  table: {
    columns: [
      nameColumn,
      col('Schedule'),
      col('Timezone'),
      col('Suspend', 'boolean'),
      col('Active', 'integer'),
      col('Last Schedule'),
      ageColumn,
      ...CONTAINER_COLUMNS,
      SELECTOR_COLUMN,
    ],
    cells(cj, now) {
      const spec = specOf(cj);
      const status = (cj.status ?? {}) as Obj;
      const jobSpec = isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec) ? spec.jobTemplate.spec : {};
      return [
        cj.metadata.name,
        spec.schedule ?? '',
        spec.timeZone ?? '<none>',
        suspendCell(spec.suspend),
        Array.isArray(status.active) ? status.active.length : 0,
        status.lastScheduleTime ? age(status.lastScheduleTime, now) : '<none>',
        objectAge(cj, now),
        ...containerCells(jobSpec.template),
        formatLabelSelector(jobSpec.selector),
      ];
    },
  },
};

