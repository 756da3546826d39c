// TEMPORARY until src/api/schema lands: bodies are taken as they are.
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { clone } from '../../api/meta.js';
import type { KubeObject } from '../../api/types.js';
import type { FieldValidation } from './options.js';

export function decodeBody(_d: ResourceDescriptor, body: unknown, _mode: FieldValidation, _warnings: string[]): KubeObject {
  return clone(body as KubeObject);
}
