// The JobSpec rules a Job and a CronJob's jobTemplate share (batch validation's validateJobSpec): counters,
// completion modes, pod failure and success policies, and the restart policy a job's pods must use.
import { fieldErr, path } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { isDNS1123Subdomain, isQualifiedName } from '../validation/names.js';
import { nonNegative } from '../validation/meta.js';
import { goQuotedList, invalidRaw } from './go-render.js';
import { isObj, type Obj } from './object-helpers.js';
import { validatePodTemplateSpec } from './podspec.js';

const MAX_INDEXED_PARALLELISM = 100_000;
const MAX_FAILED_INDEXES = 100_000;
const COMPLETIONS_SOFT_LIMIT = 100_000;
const PARALLELISM_LIMIT_HIGH_COMPLETIONS = 10_000;
const MAX_FAILED_INDEXES_HIGH_COMPLETIONS = 10_000;
const MAX_POLICY_RULES = 20;
const MAX_EXIT_CODE_VALUES = 255;
const MAX_CONDITION_PATTERNS = 20;
const MAX_MANAGED_BY_LENGTH = 63;
const MAX_SUCCEEDED_INDEXES_LENGTH = 64 * 1024;
const MAX_SUCCESS_RULES = 20;

const POLICY_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const EXIT_CODE_OPERATORS = ['In', 'NotIn'];
const CONDITION_STATUSES = ['False', 'True', 'Unknown'];
const REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed'];

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/** Everything about a JobSpec except its selector; the selector rules differ between Job and jobTemplate. */
export function validateJobSpecFields(spec: Obj, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex']) {
    if (isSet(spec[k])) errs.push(...nonNegative(spec[k], path(fld, k)));
  }
  if (isSet(spec.maxFailedIndexes)) {
    errs.push(...nonNegative(spec.maxFailedIndexes, path(fld, 'maxFailedIndexes')));
    if (!isSet(spec.backoffLimitPerIndex)) errs.push(fieldErr.required(path(fld, 'backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  }
  if (isSet(spec.managedBy)) errs.push(...validateManagedBy(String(spec.managedBy), path(fld, 'managedBy')));
  errs.push(...validateCompletionMode(spec, fld));
  if (isObj(spec.podFailurePolicy)) errs.push(...validatePodFailurePolicy(spec, path(fld, 'podFailurePolicy')));
  if (isObj(spec.successPolicy)) {
    if (spec.completionMode !== 'Indexed') errs.push(invalidRaw(path(fld, 'successPolicy'), goSuccessPolicy(spec.successPolicy), 'requires indexed completion mode'));
    else errs.push(...validateSuccessPolicy(spec, path(fld, 'successPolicy')));
  }
  errs.push(...validatePodReplacementPolicy(spec, path(fld, 'podReplacementPolicy')));
  errs.push(...validatePodTemplateSpec(spec.template ?? {}, path(fld, 'template')));
  errs.push(...validateRestartPolicy(spec, fld));
  return errs;
}

const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

function validateManagedBy(v: string, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const slash = v.indexOf('/');
  const host = slash < 0 ? '' : v.slice(0, slash);
  const rest = slash < 0 ? '' : v.slice(slash + 1);
  if (v === '') errs.push(fieldErr.required(fld));
  else if (!host || !rest) errs.push(fieldErr.invalid(fld, v, 'must be a domain-prefixed path (such as "acme.io/foo")'));
  else {
    for (const m of isDNS1123Subdomain(host)) errs.push(fieldErr.invalid(fld, host, m));
    if (!new RegExp(`^${HTTP_PATH_FMT}$`).test(rest)) {
      errs.push(fieldErr.invalid(fld, rest, `Invalid path (regex used for validation is '${HTTP_PATH_FMT}')`));
    }
  }
  if (v.length > MAX_MANAGED_BY_LENGTH) errs.push(fieldErr.tooLong(fld, v, MAX_MANAGED_BY_LENGTH));
  return errs;
}

function validateCompletionMode(spec: Obj, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const mode = spec.completionMode;
  if (isSet(mode)) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(fieldErr.notSupported(path(fld, 'completionMode'), mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (!isSet(spec.completions)) errs.push(fieldErr.required(path(fld, 'completions'), 'when completion mode is Indexed'));
      if (isSet(spec.parallelism) && spec.parallelism > MAX_INDEXED_PARALLELISM) {
        errs.push(fieldErr.invalid(path(fld, 'parallelism'), spec.parallelism, `must be less than or equal to ${MAX_INDEXED_PARALLELISM} when completion mode is Indexed`));
      }
      if (isSet(spec.completions) && isSet(spec.maxFailedIndexes) && spec.maxFailedIndexes > spec.completions) {
        errs.push(fieldErr.invalid(path(fld, 'maxFailedIndexes'), spec.maxFailedIndexes, 'must be less than or equal to completions'));
      }
      if (isSet(spec.maxFailedIndexes) && spec.maxFailedIndexes > MAX_FAILED_INDEXES) {
        errs.push(fieldErr.invalid(path(fld, 'maxFailedIndexes'), spec.maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES}`));
      }
      if (isSet(spec.completions) && spec.completions > COMPLETIONS_SOFT_LIMIT && isSet(spec.backoffLimitPerIndex)) {
        const tail = `when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`;
        if (!isSet(spec.maxFailedIndexes)) {
          errs.push(fieldErr.required(path(fld, 'maxFailedIndexes'), `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`));
        }
        if (isSet(spec.parallelism) && spec.parallelism > PARALLELISM_LIMIT_HIGH_COMPLETIONS) {
          errs.push(fieldErr.invalid(path(fld, 'parallelism'), spec.parallelism, `must be less than or equal to ${PARALLELISM_LIMIT_HIGH_COMPLETIONS} ${tail}`));
        }
        if (isSet(spec.maxFailedIndexes) && spec.maxFailedIndexes > MAX_FAILED_INDEXES_HIGH_COMPLETIONS) {
          errs.push(fieldErr.invalid(path(fld, 'maxFailedIndexes'), spec.maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES_HIGH_COMPLETIONS} ${tail}`));
        }
      }
    }
  }
  if (!isSet(mode) || mode === 'NonIndexed') {
    if (isSet(spec.backoffLimitPerIndex)) errs.push(fieldErr.invalid(path(fld, 'backoffLimitPerIndex'), spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (isSet(spec.maxFailedIndexes)) errs.push(fieldErr.invalid(path(fld, 'maxFailedIndexes'), spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  return errs;
}

function validatePodFailurePolicy(spec: Obj, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules: unknown[] = Array.isArray(spec.podFailurePolicy.rules) ? spec.podFailurePolicy.rules : [];
  const rulesPath = path(fld, 'rules');
  if (rules.length > MAX_POLICY_RULES) errs.push(fieldErr.tooMany(rulesPath, rules.length, MAX_POLICY_RULES));
  const podSpec = isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : {};
  const names = new Set<string>();
  for (const list of [podSpec.containers, podSpec.initContainers]) {
    if (Array.isArray(list)) for (const c of list) if (isObj(c) && typeof c.name === 'string') names.add(c.name);
  }
  rules.forEach((rule, i) => errs.push(...validatePolicyRule(spec, isObj(rule) ? rule : {}, path(rulesPath, i), names)));
  return errs;
}

function validatePolicyRule(spec: Obj, rule: Obj, fld: string, containerNames: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const actionPath = path(fld, 'action');
  if (!rule.action) errs.push(fieldErr.required(actionPath, `valid values: ${goQuotedList(POLICY_ACTIONS)}`));
  else if (rule.action === 'FailIndex') {
    if (!isSet(spec.backoffLimitPerIndex)) errs.push(fieldErr.invalid(actionPath, rule.action, 'requires the backoffLimitPerIndex to be set'));
  } else if (!POLICY_ACTIONS.includes(rule.action)) errs.push(fieldErr.notSupported(actionPath, rule.action, POLICY_ACTIONS));
  const onExit = isObj(rule.onExitCodes) ? rule.onExitCodes : undefined;
  const onConds: unknown[] = Array.isArray(rule.onPodConditions) ? rule.onPodConditions : [];
  if (onExit) errs.push(...validateOnExitCodes(onExit, path(fld, 'onExitCodes'), containerNames));
  if (onConds.length > 0) errs.push(...validateOnPodConditions(onConds, path(fld, 'onPodConditions')));
  if (onExit && onConds.length > 0) errs.push(invalidRaw(fld, 'specifying both OnExitCodes and OnPodConditions is not supported', ''));
  if (!onExit && onConds.length === 0) errs.push(invalidRaw(fld, 'specifying one of OnExitCodes and OnPodConditions is required', ''));
  return errs;
}

function validateOnPodConditions(patterns: unknown[], fld: string): FieldError[] {
  const errs: FieldError[] = [];
  if (patterns.length > MAX_CONDITION_PATTERNS) errs.push(fieldErr.tooMany(fld, patterns.length, MAX_CONDITION_PATTERNS));
  patterns.forEach((raw, j) => {
    const p = isObj(raw) ? raw : {};
    const pp = path(fld, j);
    for (const m of isQualifiedName(String(p.type ?? ''))) errs.push(fieldErr.invalid(path(pp, 'type'), p.type ?? '', m));
    if (!p.status) errs.push(fieldErr.required(path(pp, 'status'), `valid values: ${goQuotedList(CONDITION_STATUSES)}`));
    else if (!CONDITION_STATUSES.includes(p.status)) errs.push(fieldErr.notSupported(path(pp, 'status'), p.status, CONDITION_STATUSES));
  });
  return errs;
}

function validateOnExitCodes(req: Obj, fld: string, containerNames: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const opPath = path(fld, 'operator');
  if (!req.operator) errs.push(fieldErr.required(opPath, `valid values: ${goQuotedList(EXIT_CODE_OPERATORS)}`));
  else if (!EXIT_CODE_OPERATORS.includes(req.operator)) errs.push(fieldErr.notSupported(opPath, req.operator, EXIT_CODE_OPERATORS));
  if (isSet(req.containerName) && !containerNames.has(req.containerName)) {
    errs.push(fieldErr.invalid(path(fld, 'containerName'), req.containerName, 'must be one of the container or initContainer names in the pod template'));
  }
  const values: number[] = Array.isArray(req.values) ? req.values : [];
  const valuesPath = path(fld, 'values');
  const goInts = `[]int32{${values.join(', ')}}`;
  if (values.length === 0) errs.push(invalidRaw(valuesPath, Array.isArray(req.values) ? goInts : '[]int32(nil)', 'at least one value is required'));
  else if (values.length > MAX_EXIT_CODE_VALUES) errs.push(fieldErr.tooMany(valuesPath, values.length, MAX_EXIT_CODE_VALUES));
  const seen = new Set<number>();
  let ordered = true;
  values.forEach((v, j) => {
    if (req.operator === 'In' && v === 0) errs.push(fieldErr.invalid(path(valuesPath, j), v, 'must not be 0 for the In operator'));
    if (seen.has(v)) errs.push(fieldErr.duplicate(path(valuesPath, j), v));
    else seen.add(v);
    if (j > 0 && (values[j - 1] as number) > v) ordered = false;
  });
  if (!ordered) errs.push(invalidRaw(valuesPath, goInts, 'must be ordered'));
  return errs;
}

function goSuccessPolicy(sp: Obj): string {
  const rules = Array.isArray(sp.rules) ? sp.rules.length : 0;
  return `batch.SuccessPolicy{Rules:[]batch.SuccessPolicyRule{${Array(rules).fill('batch.SuccessPolicyRule{...}').join(', ')}}}`;
}

function validateSuccessPolicy(spec: Obj, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules: unknown[] = Array.isArray(spec.successPolicy.rules) ? spec.successPolicy.rules : [];
  const rulesPath = path(fld, 'rules');
  if (rules.length === 0) errs.push(fieldErr.required(rulesPath, 'at least one rules must be specified when the successPolicy is specified'));
  if (rules.length > MAX_SUCCESS_RULES) errs.push(fieldErr.tooMany(rulesPath, rules.length, MAX_SUCCESS_RULES));
  const completions = Number(spec.completions ?? 0);
  rules.forEach((raw, i) => {
    const rule = isObj(raw) ? raw : {};
    const rp = path(rulesPath, i);
    if (!isSet(rule.succeededCount) && !isSet(rule.succeededIndexes)) {
      errs.push(fieldErr.required(rp, 'at least one of succeededCount or succeededIndexes must be specified'));
    }
    let total = 0;
    if (isSet(rule.succeededIndexes)) {
      const ip = path(rp, 'succeededIndexes');
      const s = String(rule.succeededIndexes);
      if (s.length > MAX_SUCCEEDED_INDEXES_LENGTH) errs.push(fieldErr.tooLong(ip, s, MAX_SUCCEEDED_INDEXES_LENGTH));
      const parsed = parseIndexes(s, completions);
      if (typeof parsed === 'string') errs.push(fieldErr.invalid(ip, s, `error parsing succeededIndexes: ${parsed}`));
      else total = parsed;
    }
    if (isSet(rule.succeededCount)) {
      const cp = path(rp, 'succeededCount');
      errs.push(...nonNegative(rule.succeededCount, cp));
      if (rule.succeededCount > completions) {
        errs.push(fieldErr.invalid(cp, rule.succeededCount, `must be less than or equal to ${completions} (the number of specified completions)`));
      }
      if (isSet(rule.succeededIndexes) && rule.succeededCount > total) {
        errs.push(fieldErr.invalid(cp, rule.succeededCount, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`));
      }
    }
  });
  return errs;
}

/** Number of indexes in an interval list like "0-2,5", or the parse error text. */
export function parseIndexes(s: string, completions: number): number | string {
  if (s === '') return 0;
  let last: number | undefined;
  let total = 0;
  for (const interval of s.split(',')) {
    const parts = interval.split('-');
    if (parts.length > 2) return `the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'`;
    const nums: number[] = [];
    for (const p of parts) {
      if (!/^[+-]?\d+$/.test(p)) return `cannot convert string to integer for index: ${JSON.stringify(p)}`;
      const n = Number.parseInt(p, 10);
      if (n >= completions) return `too large index: ${JSON.stringify(p)}`;
      nums.push(n);
    }
    const x = nums[0] as number;
    const y = nums[1] ?? x;
    if (nums.length > 1 && x >= y) return `non-increasing order, previous: ${x}, current: ${y}`;
    if (last !== undefined && last >= x) return `non-increasing order, previous: ${last}, current: ${x}`;
    total += y - x + 1;
    last = y;
  }
  return total;
}

function validatePodReplacementPolicy(spec: Obj, fld: string): FieldError[] {
  const v = spec.podReplacementPolicy;
  if (!isSet(v)) return [];
  if (isObj(spec.podFailurePolicy)) return v === 'Failed' ? [] : [fieldErr.notSupported(fld, v, ['Failed'])];
  return REPLACEMENT_POLICIES.includes(v) ? [] : [fieldErr.notSupported(fld, v, REPLACEMENT_POLICIES)];
}

// Always is what a pod template gets when nothing is said, so it is reported as a missing value.
function validateRestartPolicy(spec: Obj, fld: string): FieldError[] {
  const rp = isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec.restartPolicy : undefined;
  const p = path(fld, 'template.spec.restartPolicy');
  if (rp === 'Always' || !rp) return [fieldErr.required(p, 'valid values: "OnFailure", "Never"')];
  if (rp !== 'OnFailure' && rp !== 'Never') return [fieldErr.notSupported(p, rp, ['OnFailure', 'Never'])];
  if (isObj(spec.podFailurePolicy) && rp !== 'Never') return [fieldErr.invalid(p, rp, 'only "Never" is supported when podFailurePolicy is specified')];
  return [];
}

