// Formatting rules shared by the server-side table printers (kube-apiserver's printers.go behaviour).
import type { ColumnDefinition } from './descriptor.js';
import type { KubeObject } from './types.js';

export function col(name: string, type = 'string', priority = 0, format = ''): ColumnDefinition {
  return { name, type, format, description: '', priority };
}

export const nameColumn: ColumnDefinition = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 };
export const ageColumn: ColumnDefinition = col('Age');

/** apimachinery's HumanDuration: `9s`, `2m9s`, `3h5m`, `2d1h`, `2y1d`, … */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    const d = Math.trunc(hours / 24);
    return h === 0 ? `${d}d` : `${d}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Age cell of a timestamp string; `<unknown>` when absent. */
export function age(timestamp: string | undefined | null, now: number): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now - t);
}

export function objectAge(obj: KubeObject, now: number): string {
  return age(obj.metadata.creationTimestamp, now);
}

/** `k=v,k2=v2` sorted by key; `<none>` when empty. */
export function labelMap(m: Record<string, string> | undefined | null): string {
  if (!m) return '<none>';
  const keys = Object.keys(m).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${m[k]}`).join(',');
}

interface LabelSelectorLike {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] | null }> | null;
}

/** metav1.FormatLabelSelector: requirements sorted by key; `<none>` for an empty selector. */
export function formatLabelSelector(sel: LabelSelectorLike | undefined | null): string {
  const s = labelSelectorString(sel);
  return s === '' ? '<none>' : s;
}

/** The raw selector string (empty string for an empty selector), as Deployment's printer uses it. */
export function labelSelectorString(sel: LabelSelectorLike | undefined | null): string {
  if (!sel) return '';
  const reqs: Array<{ key: string; text: string }> = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort();
    switch (e.operator) {
      case 'In':
        reqs.push({ key: e.key, text: `${e.key} in (${values.join(',')})` });
        break;
      case 'NotIn':
        reqs.push({ key: e.key, text: `${e.key} notin (${values.join(',')})` });
        break;
      case 'Exists':
        reqs.push({ key: e.key, text: e.key });
        break;
      case 'DoesNotExist':
        reqs.push({ key: e.key, text: `!${e.key}` });
        break;
      default:
        reqs.push({ key: e.key, text: `${e.key} ${e.operator.toLowerCase()} (${values.join(',')})` });
    }
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

interface PodTemplateLike {
  spec?: { containers?: Array<{ name?: string; image?: string }> | null } | null;
}

export function containerNames(tpl: PodTemplateLike | undefined | null): string {
  return (tpl?.spec?.containers ?? []).map((c) => c.name ?? '').join(',');
}

export function containerImages(tpl: PodTemplateLike | undefined | null): string {
  return (tpl?.spec?.containers ?? []).map((c) => c.image ?? '').join(',');
}

/** Reads a nested field without caring about types; undefined if any step is missing. */
export function dig(obj: unknown, ...keys: Array<string | number>): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}
