// IP and CIDR checks shared by Service, Endpoints, EndpointSlice and Node, worded as apimachinery words them.
import { isIP } from 'node:net';
import { fieldErr } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../validation/names.js';

export type IPFamily = 'IPv4' | 'IPv6';

export function ipFamilyOf(ip: string): IPFamily | undefined {
  const v = isIP(ip);
  return v === 4 ? 'IPv4' : v === 6 ? 'IPv6' : undefined;
}

export function validateIP(fld: string, value: unknown): FieldError[] {
  if (typeof value === 'string' && ipFamilyOf(value)) return [];
  return [fieldErr.invalid(fld, value ?? '', 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

export function validateIPv4(fld: string, value: string): FieldError[] {
  return isIP(value) === 4 ? [] : [fieldErr.invalid(fld, value, 'must be a valid IPv4 address')];
}

export function validateIPv6(fld: string, value: string): FieldError[] {
  return isIP(value) === 6 ? [] : [fieldErr.invalid(fld, value, 'must be a valid IPv6 address')];
}

export function validateCIDR(fld: string, value: string): FieldError[] {
  const slash = value.indexOf('/');
  const ip = slash < 0 ? '' : value.slice(0, slash);
  const bits = slash < 0 ? '' : value.slice(slash + 1);
  const fam = ipFamilyOf(ip);
  const max = fam === 'IPv4' ? 32 : 128;
  if (fam && /^\d{1,3}$/.test(bits) && Number(bits) <= max) return [];
  return [fieldErr.invalid(fld, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

function ipv4Octets(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** Addresses that make no sense as a destination: unspecified, loopback and link-local. */
export function validateNonSpecialIP(ip: string, fld: string): FieldError[] {
  const fam = ipFamilyOf(ip);
  if (!fam) return [fieldErr.invalid(fld, ip, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const lower = ip.toLowerCase();
  const o = fam === 'IPv4' ? ipv4Octets(ip) : [];
  const unspecified = fam === 'IPv4' ? o.every((x) => x === 0) : /^[0:]+$/.test(lower);
  const loopback = fam === 'IPv4' ? o[0] === 127 : lower === '::1' || /^(0+:){7}0*1$/.test(lower);
  const linkLocal = fam === 'IPv4' ? o[0] === 169 && o[1] === 254 : /^fe[89ab]/.test(lower);
  const linkLocalMulticast = fam === 'IPv4' ? o[0] === 224 && o[1] === 0 && o[2] === 0 : /^ff[0-9a-f]2:/.test(lower);
  if (unspecified) errs.push(fieldErr.invalid(fld, ip, `may not be unspecified (${ip})`));
  if (loopback) errs.push(fieldErr.invalid(fld, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (linkLocal) errs.push(fieldErr.invalid(fld, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (linkLocalMulticast) errs.push(fieldErr.invalid(fld, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

/** EndpointSlice FQDN addresses: a DNS subdomain of at least two labels; the first problem found is reported. */
export function validateFQDN(fld: string, value: string): FieldError[] {
  if (value.length === 0) return [fieldErr.required(fld)];
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  const sub = isDNS1123Subdomain(name);
  if (sub.length) return [fieldErr.invalid(fld, name, sub.join(','))];
  const labels = name.split('.');
  if (labels.length < 2) return [fieldErr.invalid(fld, name, 'should be a domain with at least two segments separated by dots')];
  for (const label of labels) {
    const errs = isDNS1123Label(label);
    if (errs.length) return [fieldErr.invalid(fld, label, errs.join(','))];
  }
  return [];
}
