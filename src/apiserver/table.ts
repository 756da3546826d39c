// Server-side printing: turns objects into meta.k8s.io Tables with the kind's columns (kubectl prints them).
import type { ResourceDescriptor } from '../api/descriptor.js';
import { errors } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function parseIncludeObject(v: string | null): IncludeObject {
  if (v === null || v === '' || v === 'Metadata') return 'Metadata';
  if (v === 'None' || v === 'Object') return v;
  throw errors.badRequest(`unrecognized includeObject value: "${v}"`);
}

export interface TableRow {
  cells: unknown[];
  object?: unknown;
  conditions?: unknown[];
}

export function tableRow(d: ResourceDescriptor, obj: KubeObject, now: number, include: IncludeObject, tableApiVersion: string): TableRow {
  const row: TableRow = { cells: d.table.cells(obj, now) };
  if (d.kind === 'Pod' && d.group === '') {
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    if (phase === 'Succeeded') row.conditions = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    else if (phase === 'Failed') row.conditions = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
  }
  if (include === 'Object') row.object = obj;
  else if (include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: tableApiVersion, metadata: obj.metadata };
  return row;
}

export interface TableOptions {
  include: IncludeObject;
  noHeaders: boolean;
  apiVersion: string; // meta.k8s.io/v1 or meta.k8s.io/v1beta1
}

export function buildTable(
  d: ResourceDescriptor,
  objects: Iterable<KubeObject>,
  now: number,
  listMeta: Record<string, unknown>,
  opts: TableOptions,
): Record<string, unknown> {
  const rows: TableRow[] = [];
  for (const o of objects) rows.push(tableRow(d, o, now, opts.include, opts.apiVersion));
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: opts.apiVersion, metadata: listMeta };
  if (!opts.noHeaders) table.columnDefinitions = d.table.columns;
  table.rows = rows;
  return table;
}
