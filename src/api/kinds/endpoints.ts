// core/v1 Endpoints: port defaults, address and port rules, and the ENDPOINTS column (`ip:port`, first three).
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, path } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../validation/names.js';
import { STANDARD_VERBS } from './descriptor-parts.js';
import { validateIP, validateNonSpecialIP } from './ip-validation.js';
import { arrayOf, isObj, type Obj } from './object-helpers.js';
import { isValidPortNum, PORT_RANGE_MSG } from './port-validation.js';
import { SERVICE_PROTOCOLS } from './service-validation.js';

const MAX_SHOWN = 3;

function subsetsOf(ep: KubeObject): Obj[] {
  return arrayOf(ep.subsets).filter(isObj);
}

function validateAddress(a: Obj, fld: string): FieldError[] {
  const errs = validateIP(path(fld, 'ip'), a.ip);
  if (a.hostname) for (const m of isDNS1123Label(String(a.hostname))) errs.push(fieldErr.invalid(path(fld, 'hostname'), a.hostname, m));
  if (a.nodeName != null) for (const m of isDNS1123Subdomain(String(a.nodeName))) errs.push(fieldErr.invalid(path(fld, 'nodeName'), a.nodeName, m));
  errs.push(...validateNonSpecialIP(String(a.ip ?? ''), path(fld, 'ip')));
  return errs;
}

function validatePort(p: Obj, requireName: boolean, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !p.name) errs.push(fieldErr.required(path(fld, 'name')));
  else if (p.name) for (const m of isDNS1123Label(String(p.name))) errs.push(fieldErr.invalid(path(fld, 'name'), p.name, m));
  if (!isValidPortNum(p.port)) errs.push(fieldErr.invalid(path(fld, 'port'), p.port ?? 0, PORT_RANGE_MSG));
  if (!p.protocol) errs.push(fieldErr.required(path(fld, 'protocol')));
  else if (!SERVICE_PROTOCOLS.includes(p.protocol)) errs.push(fieldErr.notSupported(path(fld, 'protocol'), p.protocol, SERVICE_PROTOCOLS));
  if (p.appProtocol != null) for (const m of isQualifiedName(String(p.appProtocol))) errs.push(fieldErr.invalid(path(fld, 'appProtocol'), p.appProtocol, m));
  return errs;
}

function validateEndpoints(ep: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  subsetsOf(ep).forEach((ss, i) => {
    const fld = path('subsets', i);
    const ready = arrayOf(ss.addresses).filter(isObj);
    const notReady = arrayOf(ss.notReadyAddresses).filter(isObj);
    if (ready.length === 0 && notReady.length === 0) errs.push(fieldErr.required(fld, 'must specify `addresses` or `notReadyAddresses`'));
    ready.forEach((a, j) => errs.push(...validateAddress(a, path(path(fld, 'addresses'), j))));
    notReady.forEach((a, j) => errs.push(...validateAddress(a, path(path(fld, 'notReadyAddresses'), j))));
    const ports = arrayOf(ss.ports).filter(isObj);
    ports.forEach((p, j) => errs.push(...validatePort(p, ports.length > 1, path(path(fld, 'ports'), j))));
  });
  return errs;
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Ready addresses as `ip:port` (bare IPs for port-less subsets), three at most plus a count of the rest. */
export function formatEndpoints(ep: KubeObject): string {
  const subsets = subsetsOf(ep);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs = arrayOf(ss.addresses).filter(isObj);
    const ports = arrayOf(ss.ports).filter(isObj);
    const targets = ports.length === 0 ? [undefined] : ports.map((p) => Number(p.port ?? 0));
    for (const port of targets) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === MAX_SHOWN) {
          more = true;
          break;
        }
        list.push(port === undefined ? String(a.ip ?? '') : hostPort(String(a.ip ?? ''), port));
      }
    }
  }
  const s = list.join(',');
  return more ? `${s} + ${count - MAX_SHOWN} more...` : s;
}

export const endpointsDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  listKind: 'EndpointsList',
  plural: 'endpoints',
  singular: 'endpoints',
  shortNames: ['ep'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [],
  schemaType: 'io.k8s.api.core.v1.Endpoints',
  hasStatus: false,
  defaultPropagation: 'Background',
  defaults(ep) {
    for (const ss of subsetsOf(ep)) for (const p of arrayOf(ss.ports)) if (isObj(p)) p.protocol ||= 'TCP';
  },
  validate: validateEndpoints,
  table: {
    columns: [nameColumn, col('Endpoints'), ageColumn],
    cells: (ep, now) => [ep.metadata.name, formatEndpoints(ep), objectAge(ep, now)],
  },
};
