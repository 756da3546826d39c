// Server-side apply: field sets (FieldsV1), managedFields tracking on every write, and the apply merge.
export * from './fieldset.js';
export * from './managed.js';
export { mergeValue, pruneValue } from './merge.js';
