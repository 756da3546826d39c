// Node selector terms and tolerations as kube evaluates them (component-helpers scheduling/corev1). Terms are
// compiled once per pod so that checking thousands of pods against a hundred nodes stays cheap.

/** What a term can look at on a node. */
export interface NodeView {
  name: string;
  labels: Readonly<Record<string, string>>;
}

type Match = (n: NodeView) => boolean;

const NEVER: Match = () => false;

function labelRequirement(r: any): Match | undefined {
  const key = r?.key;
  if (typeof key !== 'string' || key === '') return undefined;
  const values: string[] = Array.isArray(r.values) ? r.values.map(String) : [];
  switch (r.operator) {
    case 'In': {
      if (values.length === 0) return undefined;
      const set = new Set(values);
      return (n) => Object.hasOwn(n.labels, key) && set.has(n.labels[key] as string);
    }
    case 'NotIn': {
      if (values.length === 0) return undefined;
      const set = new Set(values);
      return (n) => !Object.hasOwn(n.labels, key) || !set.has(n.labels[key] as string);
    }
    case 'Exists':
      return values.length === 0 ? (n) => Object.hasOwn(n.labels, key) : undefined;
    case 'DoesNotExist':
      return values.length === 0 ? (n) => !Object.hasOwn(n.labels, key) : undefined;
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1 || !/^[+-]?\d+$/.test(values[0] as string)) return undefined;
      const bound = BigInt(values[0] as string);
      const gt = r.operator === 'Gt';
      return (n) => {
        const v = n.labels[key];
        if (v === undefined || !/^[+-]?\d+$/.test(v)) return false;
        const x = BigInt(v);
        return gt ? x > bound : x < bound;
      };
    }
    default:
      return undefined;
  }
}

// Only metadata.name can be selected by field, and only with In / NotIn (what DaemonSet pods rely on).
function fieldRequirement(r: any): Match | undefined {
  if (r?.key !== 'metadata.name') return undefined;
  const values: string[] = Array.isArray(r.values) ? r.values.map(String) : [];
  if (values.length === 0) return undefined;
  const set = new Set(values);
  if (r.operator === 'In') return (n) => set.has(n.name);
  if (r.operator === 'NotIn') return (n) => !set.has(n.name);
  return undefined;
}

/** One term: every expression and field must hold. An empty or malformed term matches no node. */
export function compileTerm(term: any): Match {
  const exprs: any[] = Array.isArray(term?.matchExpressions) ? term.matchExpressions : [];
  const fields: any[] = Array.isArray(term?.matchFields) ? term.matchFields : [];
  if (exprs.length + fields.length === 0) return NEVER;
  const parts: Match[] = [];
  for (const e of exprs) {
    const m = labelRequirement(e);
    if (!m) return NEVER;
    parts.push(m);
  }
  for (const f of fields) {
    const m = fieldRequirement(f);
    if (!m) return NEVER;
    parts.push(m);
  }
  if (parts.length === 1) return parts[0] as Match;
  return (n) => {
    for (const p of parts) if (!p(n)) return false;
    return true;
  };
}

/** nodeSelector AND (any of the required terms); undefined when the pod places no constraint. */
export function compileRequired(spec: any): Match | undefined {
  const selector: Record<string, string> | undefined = spec?.nodeSelector && typeof spec.nodeSelector === 'object' ? spec.nodeSelector : undefined;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const selectorEntries = selector ? Object.entries(selector) : [];
  if (selectorEntries.length === 0 && !required) return undefined;
  const terms: Match[] = required ? (Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : []).map(compileTerm) : [];
  return (n) => {
    for (const [k, v] of selectorEntries) if (n.labels[k] !== v) return false;
    if (!required) return true;
    for (const t of terms) if (t(n)) return true;
    return false;
  };
}

export interface WeightedTerm {
  weight: number;
  match: Match;
}

export function compilePreferred(spec: any): WeightedTerm[] {
  const prefs = spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  if (!Array.isArray(prefs)) return [];
  const out: WeightedTerm[] = [];
  for (const p of prefs) {
    const weight = Number(p?.weight ?? 0);
    if (!weight) continue;
    out.push({ weight, match: compileTerm(p?.preference) });
  }
  return out;
}

/**
 * The node names a required affinity pins the pod to through `metadata.name In`, as kube's NodeAffinity
 * PreFilter computes them: undefined when some term leaves the name open, an empty set when the terms
 * contradict each other.
 */
export function pinnedNodeNames(spec: any): Set<string> | undefined {
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!Array.isArray(terms) || terms.length === 0) return undefined;
  let union: Set<string> | undefined;
  for (const t of terms) {
    let names: Set<string> | undefined;
    for (const f of Array.isArray(t?.matchFields) ? t.matchFields : []) {
      if (f?.key !== 'metadata.name' || f?.operator !== 'In') continue;
      const vals = new Set<string>((Array.isArray(f.values) ? f.values : []).map(String));
      names = names ? new Set([...names].filter((x) => vals.has(x))) : vals;
    }
    if (!names) return undefined;
    union = union ? new Set([...union, ...names]) : names;
  }
  return union;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function anyTolerates(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (tolerates(t, taint)) return true;
  return false;
}
