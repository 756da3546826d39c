// Compiles the labelSelector/fieldSelector of a list or watch into one predicate over objects.
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';

export interface ObjectFilter {
  /** True when no selector was given. */
  readonly everything: boolean;
  matches(obj: KubeObject): boolean;
}

const EVERYTHING: ObjectFilter = { everything: true, matches: () => true };

type Getter = (obj: KubeObject) => string | undefined;

function fieldGetter(d: ResourceDescriptor, field: string): Getter | undefined {
  if (field === 'metadata.name') return (o) => o.metadata.name;
  if (field === 'metadata.namespace') return (o) => o.metadata.namespace ?? '';
  return d.fieldLabels?.[field];
}

// TEMPORARY: equality-only parsing until src/api/selectors lands.
export function compileFilter(d: ResourceDescriptor, labelSelector?: string, fieldSelector?: string): ObjectFilter {
  if (!labelSelector && !fieldSelector) return EVERYTHING;
  const preds: Array<(o: KubeObject) => boolean> = [];
  for (const term of (labelSelector ?? '').split(',').filter(Boolean)) {
    const m = /^\s*([^!=\s]+)\s*(==|=|!=)\s*(\S*)\s*$/.exec(term);
    if (m) {
      const [, k, op, v] = m;
      preds.push((o) => ((o.metadata.labels?.[k as string] ?? undefined) === v) === (op !== '!='));
    } else if (/^\s*!/.test(term)) {
      const k = term.trim().slice(1);
      preds.push((o) => !(k in (o.metadata.labels ?? {})));
    } else {
      const k = term.trim();
      preds.push((o) => k in (o.metadata.labels ?? {}));
    }
  }
  for (const term of (fieldSelector ?? '').split(',').filter(Boolean)) {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw errors.badRequest(`invalid field selector: ${term}`);
    const [, f, op, v] = m as unknown as [string, string, string, string];
    const g = fieldGetter(d, f);
    if (!g) throw errors.badRequest(`field label not supported: ${f}`);
    preds.push((o) => ((g(o) ?? '') === v) === (op !== '!='));
  }
  return { everything: false, matches: (o) => preds.every((p) => p(o)) };
}
