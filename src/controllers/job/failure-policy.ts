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

function rulesOf(policy: unknown): Rule[] {
  const rules = (policy as { rules?: unknown } | undefined)?.rules;
  return Array.isArray(rules) ? (rules as Rule[]) : [];
}

function exitCodeMatch(pod: Pod, req: ExitCodesRequirement): { container: string; code: number } | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const s of statuses) {
    if (req.containerName && req.containerName !== s.name) continue;
    const code = s.state?.terminated?.exitCode;
    // A clean exit never matches: only failing containers explain a failed pod.
    if (code === undefined || code === 0) continue;
    const listed = req.values.includes(code);
    if (req.operator === 'In' ? listed : !listed) return { container: s.name, code };
  }
  return undefined;
}

/** The first rule matching the failed `pod`, if any. */
export function matchFailurePolicy(policy: unknown, pod: KubeObject): PolicyMatch | undefined {
  const p = pod as unknown as Pod;
  const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
  const rules = rulesOf(policy);
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as Rule;
    if (rule.onExitCodes) {
      const m = exitCodeMatch(p, rule.onExitCodes);
      if (m) return { action: rule.action, message: `Container ${m.container} for pod ${where} failed with exit code ${m.code} matching ${rule.action} rule at index ${i}` };
    }
    for (const pattern of rule.onPodConditions ?? []) {
      const want = pattern.status ?? 'True';
      if (p.status?.conditions?.some((c) => c.type === pattern.type && c.status === want)) {
        return { action: rule.action, message: `Pod ${where} has condition ${pattern.type} matching ${rule.action} rule at index ${i}` };
      }
    }
  }
  return undefined;
}
