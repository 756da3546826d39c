// Compiles the labelSelector/fieldSelector of a list or watch into one predicate over objects.
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { errors } from '../../api/errors.js';
import { convertFieldLabels, FieldSelectorError, parseFieldSelector } from '../../api/selectors/fields.js';
import { LabelSelectorError, parseLabelSelector } from '../../api/selectors/labels.js';
import type { KubeObject } from '../../api/types.js';

export interface ObjectFilter {
  /** True when no selector was given. */
  readonly everything: boolean;
  matches(obj: KubeObject): boolean;
}

const EVERYTHING: ObjectFilter = { everything: true, matches: () => true };
const NO_LABELS: Record<string, string> = {};

type Getter = (obj: KubeObject) => string | undefined;

function getterFor(d: ResourceDescriptor, field: string): Getter {
  if (field === 'metadata.name') return (o) => o.metadata.name;
  if (field === 'metadata.namespace') return (o) => o.metadata.namespace ?? '';
  return d.fieldLabels?.[field] ?? (() => undefined);
}

export function compileFilter(d: ResourceDescriptor, labelSelector?: string, fieldSelector?: string): ObjectFilter {
  if (!labelSelector && !fieldSelector) return EVERYTHING;
  try {
    const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
    const extra = Object.keys(d.fieldLabels ?? {});
    const fields = fieldSelector
      ? convertFieldLabels(parseFieldSelector(fieldSelector), extra.length ? { supported: ['metadata.name', 'metadata.namespace', ...extra] } : undefined)
      : undefined;
    // Resolve each field term's getter once, not per object.
    const terms = (fields?.requirements ?? []).map((r) => ({ get: getterFor(d, r.field), want: r.value, eq: r.operator === '=' }));
    const labelMatch = labels && !labels.isEmpty() ? labels : undefined;
    return {
      everything: false,
      matches(o: KubeObject): boolean {
        if (labelMatch && !labelMatch.matches(o.metadata.labels ?? NO_LABELS)) return false;
        for (const t of terms) if (((t.get(o) ?? '') === t.want) !== t.eq) return false;
        return true;
      },
    };
  } catch (err) {
    if (err instanceof LabelSelectorError || err instanceof FieldSelectorError) throw errors.badRequest(err.message);
    throw err;
  }
}
