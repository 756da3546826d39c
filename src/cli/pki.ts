// The cluster's certificates: a private CA, the API server's serving certificate and an admin
// client certificate, plus an admin bearer token. Generated once per data directory and reused,
// so a kubeconfig written on first start keeps working after restarts.
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Extension } from '@peculiar/x509';

export interface Pki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  token: string;
}

export interface PkiOptions {
  /** Extra names or addresses the serving certificate must cover. */
  hosts: string[];
}

export const CA_NAME = 'kubeloop-ca';
export const ADMIN_USER = 'kubeloop-admin';
export const ADMIN_GROUP = 'system:masters';

const DEFAULT_HOSTS = ['127.0.0.1', '::1', 'localhost'];
const DAY = 24 * 3600 * 1000;
// Leaves are renewed on load once they get this close to expiry, so a long-lived data dir never
// starts serving an expired certificate.
const RENEW_BEFORE = 30 * DAY;

const FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
  clientCert: 'admin.crt',
  clientKey: 'admin.key',
  token: 'admin.token',
} as const satisfies Record<keyof Pki, string>;

/**
 * Loads the PKI kept in `dir`, creating or repairing what is missing; with `dir` undefined
 * (`--in-memory`) everything is generated fresh and nothing touches the disk.
 */
export async function ensurePki(dir: string | undefined, opts: PkiOptions = { hosts: [] }): Promise<Pki> {
  const hosts = uniqueHosts([...DEFAULT_HOSTS, ...opts.hosts]);
  if (dir === undefined) return generateAll(hosts);

  const stored = await loadFiles(dir);
  const { caCert, caKey } = stored;
  if (!caCert || !caKey || !validCa(caCert, caKey)) {
    const pki = await generateAll(hosts);
    await persist(dir, pki, Object.keys(FILES) as (keyof Pki)[]);
    return pki;
  }

  const ca = new X509Certificate(caCert);
  const changed: (keyof Pki)[] = [];
  let server = { cert: stored.serverCert ?? '', key: stored.serverKey ?? '' };
  if (!validLeaf(server.cert, server.key, ca) || !coversHosts(server.cert, hosts)) {
    // Keep every name the old certificate had, so adding a host never drops one used before.
    server = await issueLeaf(caCert, caKey, 'server', uniqueHosts([...hosts, ...safeSanHosts(server.cert)]));
    changed.push('serverCert', 'serverKey');
  }
  let client = { cert: stored.clientCert ?? '', key: stored.clientKey ?? '' };
  if (!validLeaf(client.cert, client.key, ca)) {
    client = await issueLeaf(caCert, caKey, 'client', []);
    changed.push('clientCert', 'clientKey');
  }
  let token = stored.token?.trim() ?? '';
  if (!token) {
    token = newToken();
    changed.push('token');
  }

  const pki: Pki = {
    caCert,
    caKey,
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    token,
  };
  if (changed.length > 0) await persist(dir, pki, changed);
  return pki;
}

async function loadFiles(dir: string): Promise<Partial<Pki>> {
  const out: Partial<Pki> = {};
  await Promise.all(
    (Object.entries(FILES) as [keyof Pki, string][]).map(async ([field, file]) => {
      try {
        out[field] = await readFile(join(dir, file), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }),
  );
  return out;
}

async function persist(dir: string, pki: Pki, fields: (keyof Pki)[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Temp file + rename: a crash or a concurrent reader never sees half a key.
  await Promise.all(
    fields.map(async (field) => {
      const target = join(dir, FILES[field]);
      const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(tmp, field === 'token' ? `${pki.token}\n` : pki[field], { mode: 0o600 });
      await rename(tmp, target);
    }),
  );
}

function validCa(certPem: string, keyPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return cert.ca && cert.checkPrivateKey(createPrivateKey(keyPem)) && !expiresSoon(cert, 0);
  } catch {
    return false;
  }
}

function validLeaf(certPem: string, keyPem: string, ca: X509Certificate): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey) &&
      cert.checkPrivateKey(createPrivateKey(keyPem)) && !expiresSoon(cert, RENEW_BEFORE);
  } catch {
    return false;
  }
}

function expiresSoon(cert: X509Certificate, margin: number): boolean {
  const now = Date.now();
  return Date.parse(cert.validTo) - margin < now || Date.parse(cert.validFrom) > now;
}

function coversHosts(certPem: string, hosts: string[]): boolean {
  const have = new Set(safeSanHosts(certPem).map(normalizeHost));
  return hosts.every((h) => have.has(normalizeHost(h)));
}

/** The DNS names and IP addresses in a certificate's subjectAltName. */
export function sanHosts(cert: X509Certificate | string): string[] {
  const x = typeof cert === 'string' ? new X509Certificate(cert) : cert;
  const out: string[] = [];
  for (const part of (x.subjectAltName ?? '').split(/,\s*/)) {
    const m = /^(DNS|IP Address):(.*)$/.exec(part.trim());
    if (m?.[2]) out.push(m[2]);
  }
  return out;
}

function safeSanHosts(certPem: string): string[] {
  try {
    return sanHosts(certPem);
  } catch {
    return []; // unreadable certificate: it is being replaced anyway
  }
}

function normalizeHost(host: string): string {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  // Node prints IPv6 SANs fully expanded; compare addresses in one canonical form.
  return isIP(h) === 6 ? expandIPv6(h) : h;
}

function expandIPv6(addr: string): string {
  const [head = '', tail] = addr.split('::');
  const a = head ? head.split(':') : [];
  const b = tail ? tail.split(':') : [];
  const groups = tail === undefined ? a : [...a, ...Array<string>(8 - a.length - b.length).fill('0'), ...b];
  return groups.map((g) => parseInt(g, 16).toString(16)).join(':');
}

function uniqueHosts(hosts: string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of hosts) {
    const h = raw.trim().replace(/^\[(.*)\]$/, '$1');
    if (h && !seen.has(normalizeHost(h))) seen.set(normalizeHost(h), h);
  }
  return [...seen.values()];
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

async function generateAll(hosts: string[]): Promise<Pki> {
  const ca = await createCa();
  const [server, client] = await Promise.all([
    issueLeaf(ca.cert, ca.key, 'server', hosts),
    issueLeaf(ca.cert, ca.key, 'client', []),
  ]);
  return {
    caCert: ca.cert,
    caKey: ca.key,
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    token: newToken(),
  };
}

// @peculiar/x509 is loaded only when something must be generated: a warm start that just reads
// the files never pays for importing it.
type X509Lib = typeof import('@peculiar/x509');
let libPromise: Promise<X509Lib> | undefined;

function lib(): Promise<X509Lib> {
  libPromise ??= (async () => {
    await import('reflect-metadata'); // tsyringe inside @peculiar/x509 2.x needs it first
    const x509 = await import('@peculiar/x509');
    const { webcrypto } = await import('node:crypto');
    x509.cryptoProvider.set(webcrypto as unknown as Crypto);
    return x509;
  })();
  return libPromise;
}

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const EC_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

async function newKeyPair(): Promise<CryptoKeyPair> {
  const { webcrypto } = await import('node:crypto');
  return (await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyToPem(key: CryptoKey): Promise<string> {
  const { webcrypto } = await import('node:crypto');
  const x509 = await lib();
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function createCa(): Promise<{ cert: string; key: string }> {
  const x509 = await lib();
  const keys = await newKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [CA_NAME] }],
    keys,
    notBefore: new Date(now - 3600 * 1000),
    notAfter: new Date(now + 10 * 365 * DAY),
    signingAlgorithm: EC_SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyToPem(keys.privateKey) };
}

async function issueLeaf(
  caCertPem: string,
  caKeyPem: string,
  kind: 'server' | 'client',
  hosts: string[],
): Promise<{ cert: string; key: string }> {
  const x509 = await lib();
  const { webcrypto } = await import('node:crypto');
  const caCert = new x509.X509Certificate(caCertPem);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(caKeyPem),
    EC_KEY,
    false,
    ['sign'],
  );
  const keys = await newKeyPair();
  const now = Date.now();
  const extensions: Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(
      [kind === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (kind === 'server') {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        hosts.map((h) => ({ type: isIP(h) ? ('ip' as const) : ('dns' as const), value: h })),
        false,
      ),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    subject: kind === 'server' ? [{ CN: ['kubeloop-apiserver'] }] : [{ O: [ADMIN_GROUP] }, { CN: [ADMIN_USER] }],
    issuer: caCert.subjectName,
    publicKey: keys.publicKey,
    signingKey: caKey,
    notBefore: new Date(now - 3600 * 1000),
    notAfter: new Date(now + 365 * DAY),
    signingAlgorithm: EC_SIGN,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await keyToPem(keys.privateKey) };
}
