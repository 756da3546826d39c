// Pieces most descriptors repeat verbatim: the verb list, the status and scale subresources, and the wide
// columns kubectl shows for kinds that select pods or run them from a template.
import type { ColumnDefinition, SubresourceDescriptor } from '../descriptor.js';
import { col, containerImages, containerNames } from '../printing.js';

export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const STATUS_SUBRESOURCE: SubresourceDescriptor = { name: 'status', verbs: ['get', 'patch', 'update'] };
export const SCALE_SUBRESOURCE: SubresourceDescriptor = {
  name: 'scale',
  group: 'autoscaling',
  version: 'v1',
  kind: 'Scale',
  verbs: ['get', 'patch', 'update'],
};

/** CONTAINERS and IMAGES, shown with -o wide; fill them with `containerCells`. */
export const CONTAINER_COLUMNS: ColumnDefinition[] = [col('Containers', 'string', 1), col('Images', 'string', 1)];
export const SELECTOR_COLUMN: ColumnDefinition = col('Selector', 'string', 1);

export function containerCells(template: Parameters<typeof containerNames>[0]): [string, string] {
  return [containerNames(template), containerImages(template)];
}
