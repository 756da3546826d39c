// discovery.k8s.io/v1 EndpointSlice: port defaults, address rules per address type, and `kubectl get
// endpointslices` (ADDRESSTYPE, PORTS, ENDPOINTS).
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, path } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import { validateLabels } from '../selectors/labels.js';
import type { FieldError, KubeObject } from '../types.js';
import { isDNS1123Label, isQualifiedName } from '../validation/names.js';
import { STANDARD_VERBS } from './descriptor-parts.js';
import { validateFQDN, validateIPv4, validateIPv6, validateNonSpecialIP } from './ip-validation.js';
import { arrayOf, isObj, type Obj } from './object-helpers.js';
import { SERVICE_PROTOCOLS } from './service-validation.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 100;
const MAX_TOPOLOGY_LABELS = 16;
const MAX_SHOWN = 3;

function slice(o: KubeObject): Obj {
  return o as Obj;
}

function validateAddress(addressType: string, address: string, fld: string): FieldError[] {
  switch (addressType) {
    case 'IP': {
      const e = validateIPv4(fld, address);
      return e.length && validateIPv6(fld, address).length ? [fieldErr.invalid(fld, address, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')] : [];
    }
    case 'IPv4':
      return [...validateIPv4(fld, address), ...validateNonSpecialIP(address, fld)];
    case 'IPv6':
      return [...validateIPv6(fld, address), ...validateNonSpecialIP(address, fld)];
    case 'FQDN':
      return validateFQDN(fld, address);
    default:
      return [];
  }
}

function validateEndpoints(s: Obj): FieldError[] {
  const endpoints = arrayOf(s.endpoints);
  if (endpoints.length > MAX_ENDPOINTS) return [fieldErr.tooMany('endpoints', endpoints.length, MAX_ENDPOINTS)];
  const errs: FieldError[] = [];
  endpoints.forEach((raw, i) => {
    const ep = isObj(raw) ? raw : {};
    const fld = path('endpoints', i);
    const addrs = arrayOf(ep.addresses);
    const afld = path(fld, 'addresses');
    if (addrs.length === 0) errs.push(fieldErr.required(afld, 'must contain at least 1 address'));
    else if (addrs.length > MAX_ADDRESSES) errs.push(fieldErr.tooMany(afld, addrs.length, MAX_ADDRESSES));
    addrs.forEach((a, j) => errs.push(...validateAddress(String(s.addressType ?? ''), String(a), path(afld, j))));
    const topology = isObj(ep.deprecatedTopology) ? ep.deprecatedTopology : undefined;
    if (topology) {
      const tfld = path(fld, 'topology');
      if (Object.keys(topology).length > MAX_TOPOLOGY_LABELS) errs.push(fieldErr.tooMany(tfld, Object.keys(topology).length, MAX_TOPOLOGY_LABELS));
      errs.push(...validateLabels(topology, tfld));
    }
    if (ep.hostname != null) for (const m of isDNS1123Label(String(ep.hostname))) errs.push(fieldErr.invalid(path(fld, 'hostname'), ep.hostname, m));
  });
  return errs;
}

function validatePorts(s: Obj): FieldError[] {
  const ports = arrayOf(s.ports);
  if (ports.length > MAX_PORTS) return [fieldErr.tooMany('ports', ports.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const p = isObj(raw) ? raw : {};
    const fld = path('ports', i);
    const name = String(p.name ?? '');
    if (name) for (const m of isDNS1123Label(name)) errs.push(fieldErr.invalid(path(fld, 'name'), name, m));
    if (names.has(name)) errs.push(fieldErr.duplicate(path(fld, 'name'), name));
    else names.add(name);
    if (p.protocol == null) errs.push(fieldErr.required(path(fld, 'protocol')));
    else if (!SERVICE_PROTOCOLS.includes(p.protocol)) errs.push(fieldErr.notSupported(path(fld, 'protocol'), p.protocol, SERVICE_PROTOCOLS));
    if (p.appProtocol != null) for (const m of isQualifiedName(String(p.appProtocol))) errs.push(fieldErr.invalid(path(fld, 'appProtocol'), p.appProtocol, m));
  });
  return errs;
}

function validateAddressType(s: Obj, valid: string[]): FieldError[] {
  if (!s.addressType) return [fieldErr.required('addressType')];
  return valid.includes(s.addressType) ? [] : [fieldErr.notSupported('addressType', s.addressType, valid)];
}

// The deprecated "IP" type survives on slices written before it was retired, so updates still accept it.
function validateSlice(obj: KubeObject, validTypes = ADDRESS_TYPES): FieldError[] {
  const s = slice(obj);
  return [...validateAddressType(s, validTypes), ...validateEndpoints(s), ...validatePorts(s)];
}

function shortList(items: string[], total: number): string {
  const s = items.join(',');
  if (total > MAX_SHOWN) return `${s} + ${total - MAX_SHOWN} more...`;
  return s || '<unset>';
}

export function formatSlicePorts(obj: KubeObject): string {
  const ports = arrayOf(slice(obj).ports).filter(isObj);
  const shown = ports.slice(0, MAX_SHOWN).map((p) => (p.port != null ? String(p.port) : p.name != null ? String(p.name) : '*'));
  return shortList(shown, ports.length);
}

export function formatSliceEndpoints(obj: KubeObject): string {
  const all = arrayOf(slice(obj).endpoints).filter(isObj).flatMap((ep) => arrayOf(ep.addresses).map(String));
  return shortList(all.slice(0, MAX_SHOWN), all.length);
}

export const endpointSliceDescriptor: ResourceDescriptor = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  listKind: 'EndpointSliceList',
  plural: 'endpointslices',
  singular: 'endpointslice',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [],
  schemaType: 'io.k8s.api.discovery.v1.EndpointSlice',
  hasStatus: false,
  generation: 'spec',
  defaultPropagation: 'Background',
  defaults(obj) {
    for (const p of arrayOf(slice(obj).ports)) {
      if (!isObj(p)) continue;
      p.name ??= '';
      p.protocol ??= 'TCP';
    }
  },
  validate: (obj) => validateSlice(obj),
  validateUpdate(obj, old) {
    const s = slice(obj);
    const o = slice(old);
    const errs = s.addressType === 'IP' ? validateSlice(obj, [...ADDRESS_TYPES, 'IP']) : [];
    if (s.addressType !== o.addressType) errs.push(fieldErr.invalid('addressType', s.addressType ?? '', 'field is immutable'));
    return errs;
  },
  table: {
    columns: [nameColumn, col('AddressType'), col('Ports'), col('Endpoints'), ageColumn],
    cells: (obj, now) => [obj.metadata.name, String(slice(obj).addressType ?? ''), formatSlicePorts(obj), formatSliceEndpoints(obj), objectAge(obj, now)],
  },
};
