// Label-selector objects inside a pod spec (affinity terms, spread constraints), checked by the shared selector
// module with the options kube uses for new pod specs (label values in expressions are validated).
import { validateLabelSelector } from '../selectors/labels.js';
import type { FieldError } from '../types.js';

export function validateLabelSelectorField(sel: unknown, fld: string): FieldError[] {
  if (!sel || typeof sel !== 'object') return [];
  return validateLabelSelector(sel as Parameters<typeof validateLabelSelector>[0], fld);
}
