// spec.podFailurePolicy: rules that look at why a pod failed (container exit codes, pod conditions such as
// DisruptionTarget) and decide whether the failure fails the whole job at once (FailJob), is not held
// against the job (Ignore) or counts as usual (Count). The first matching rule wins.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/types.js';

interface ExitCodesRequirement {
  containerName?: string;
  operator: 'In' | 'NotIn';
  values: number[];
}

interface PodConditionPattern {
  type: string;
  status?: string;
}

interface Rule {
  action: 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';
  onExitCodes?: ExitCodesRequirement;
  onPodConditions?: PodConditionPattern[];
}

export interface PolicyMatch {
  action: Rule['action'];
  /** For FailJob: the condition message kube writes. */
  message: string;
}

// kube's matcher falls through a rule whose action it does not know, so such a rule never matches.
const KNOWN_ACTIONS = new Set<string>(['FailJob', 'FailIndex', 'Ignore', 'Count']);

function rulesOf(policy: unknown): Rule[] {
  const rules = (policy as { rules?: unknown } | undefined)?.rules;
  return Array.isArray(rules) ? (rules as Rule[]) : [];
}

/** The first terminated container (regular containers before init containers, as kube looks) whose
 * non-zero exit code satisfies the requirement. */
function exitCodeMatch(pod: Pod, req: ExitCodesRequirement): { container: string; code: number } | undefined {
  for (const list of [pod.status?.containerStatuses ?? [], pod.status?.initContainerStatuses ?? []]) {
    for (const s of list) {
      const code = s.state?.terminated?.exitCode;
      if (code === undefined) continue;
      if (req.containerName && req.containerName !== s.name) continue;
      // A clean exit never matches: only failing containers explain a failed pod.
      if (code === 0) continue;
      const listed = req.values.includes(code);
      if (req.operator === 'In' ? listed : req.operator === 'NotIn' && !listed) return { container: s.name, code };
    }
  }
  return undefined;
}

/** The first pod condition (in the pod's order) that one of the patterns names. */
function conditionMatch(pod: Pod, patterns: PodConditionPattern[]): string | undefined {
  for (const c of pod.status?.conditions ?? []) {
    if (patterns.some((p) => p.type === c.type && (p.status ?? 'True') === c.status)) return c.type;
  }
  return undefined;
}

/** The first rule matching the failed `pod`, if any. A rule looks at exit codes when it has them and at
 * pod conditions otherwise. */
export function matchFailurePolicy(policy: unknown, pod: KubeObject): PolicyMatch | undefined {
  const p = pod as unknown as Pod;
  const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
  const rules = rulesOf(policy);
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as Rule;
    if (!KNOWN_ACTIONS.has(rule.action)) continue;
    if (rule.onExitCodes) {
      const m = exitCodeMatch(p, rule.onExitCodes);
      if (m) return { action: rule.action, message: `Container ${m.container} for pod ${where} failed with exit code ${m.code} matching ${rule.action} rule at index ${i}` };
    } else if (rule.onPodConditions) {
      const type = conditionMatch(p, rule.onPodConditions);
      if (type !== undefined) return { action: rule.action, message: `Pod ${where} has condition ${type} matching ${rule.action} rule at index ${i}` };
    }
  }
  return undefined;
}

/** Whether the failure counts against backoffLimit and backoffLimitPerIndex (everything but Ignore). */
export function failureCounts(policy: unknown, pod: KubeObject): boolean {
  return !policy || matchFailurePolicy(policy, pod)?.action !== 'Ignore';
}
