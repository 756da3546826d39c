import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { request, createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAuthenticator, writeUnauthorized, type UserInfo } from '../apiserver/authn.js';
import { ensurePki, sanHosts, type Pki } from './pki.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubeloop-pki-'));
  dirs.push(d);
  return join(d, 'pki'); // not created yet: ensurePki must create it
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('ensurePki', () => {
  test('generates a CA, a serving certificate and an admin client certificate', async () => {
    const dir = tempDir();
    const pki = await ensurePki(dir, { hosts: ['kubeloop.example', '10.0.0.7', 'fd00::1'] });
    const ca = new X509Certificate(pki.caCert);
    const server = new X509Certificate(pki.serverCert);
    const client = new X509Certificate(pki.clientCert);

    assert.equal(ca.ca, true);
    assert.match(ca.subject, /CN=kubeloop-ca/);
    for (const leaf of [server, client]) {
      assert.equal(leaf.ca, false);
      assert.ok(leaf.checkIssued(ca));
      assert.ok(leaf.verify(ca.publicKey));
    }
    assert.ok(server.checkPrivateKey(createPrivateKey(pki.serverKey)));

    for (const ip of ['127.0.0.1', '::1', '10.0.0.7', 'fd00::1']) assert.equal(server.checkIP(ip), ip, ip);
    for (const host of ['localhost', 'kubeloop.example']) assert.equal(server.checkHost(host), host, host);
    assert.equal(server.checkHost('other.example'), undefined);
    assert.match(server.subjectAltName ?? '', /IP Address:10\.0\.0\.7/); // an IP SAN, not a DNS one
    assert.deepEqual(server.keyUsage, [SERVER_AUTH]);

    assert.match(client.subject, /CN=kubeloop-admin/);
    assert.match(client.subject, /O=system:masters/);
    assert.deepEqual(client.keyUsage, [CLIENT_AUTH]);
    assert.ok(pki.token.length >= 32);

    for (const f of readdirSync(dir)) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  });

  test('reloads the same material on a later start', async () => {
    const dir = tempDir();
    const first = await ensurePki(dir, { hosts: [] });
    const second = await ensurePki(dir, { hosts: [] });
    assert.deepEqual(second, first);
  });

  test('reissues only the serving certificate when a host is missing, keeping old names', async () => {
    const dir = tempDir();
    const first = await ensurePki(dir, { hosts: ['a.example'] });
    const second = await ensurePki(dir, { hosts: ['b.example', '192.168.1.9'] });
    assert.notEqual(second.serverCert, first.serverCert);
    assert.notEqual(second.serverKey, first.serverKey);
    assert.equal(second.caCert, first.caCert);
    assert.equal(second.clientCert, first.clientCert);
    assert.equal(second.token, first.token);
    const names = sanHosts(second.serverCert);
    for (const h of ['a.example', 'b.example', '192.168.1.9', 'localhost', '127.0.0.1']) assert.ok(names.includes(h), h);
    assert.ok(new X509Certificate(second.serverCert).verify(new X509Certificate(second.caCert).publicKey));

    // Hosts already covered (in any spelling) do not cause another reissue.
    const third = await ensurePki(dir, { hosts: ['B.example', '[::1]', '0:0::1'] });
    assert.equal(third.serverCert, second.serverCert);
  });

  test('repairs missing leaves without replacing the CA', async () => {
    const dir = tempDir();
    const first = await ensurePki(dir, { hosts: [] });
    unlinkSync(join(dir, 'admin.key'));
    unlinkSync(join(dir, 'admin.token'));
    writeFileSync(join(dir, 'server.crt'), 'not a certificate');
    const second = await ensurePki(dir, { hosts: [] });
    assert.equal(second.caCert, first.caCert);
    assert.notEqual(second.serverCert, first.serverCert);
    assert.ok(new X509Certificate(second.serverCert).checkIssued(new X509Certificate(first.caCert)));
    assert.notEqual(second.clientCert, first.clientCert);
    assert.notEqual(second.token, first.token);
    assert.deepEqual(await ensurePki(dir, { hosts: [] }), second);
  });

  test('in-memory variant writes nothing and differs per call', async () => {
    const a = await ensurePki(undefined, { hosts: [] });
    const b = await ensurePki(undefined, { hosts: [] });
    assert.notEqual(a.caCert, b.caCert);
    assert.notEqual(a.token, b.token);
    assert.ok(new X509Certificate(a.serverCert).checkIssued(new X509Certificate(a.caCert)));
  });
});

describe('authenticator over a real TLS handshake', () => {
  let pki: Pki;
  let foreign: Pki;
  let server: Server;
  let port: number;
  const seen: (UserInfo | null)[] = [];

  before(async () => {
    [pki, foreign] = await Promise.all([ensurePki(undefined, { hosts: [] }), ensurePki(undefined, { hosts: [] })]);
    const authn = createAuthenticator(pki);
    server = createServer(
      { cert: pki.serverCert, key: pki.serverKey, ca: [pki.caCert], requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const who = authn(req);
        seen.push(who);
        if (!who) return writeUnauthorized(res);
        res.end(JSON.stringify(who));
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  function call(opts: { cert?: string; key?: string; token?: string }): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api',
          ca: pki.caCert,
          cert: opts.cert,
          key: opts.key,
          agent: false,
          headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  const admin = { user: 'kubeloop-admin', groups: ['system:masters', 'system:authenticated'] };

  test('accepts the admin client certificate', async () => {
    const r = await call({ cert: pki.clientCert, key: pki.clientKey });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), admin);
  });

  test('accepts the bearer token', async () => {
    const r = await call({ token: pki.token });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), admin);
  });

  test('refuses no credentials, a wrong token, a foreign CA and a serving cert used as client', async () => {
    const cases = [
      {},
      { token: `${pki.token}x` },
      { token: foreign.token },
      { cert: foreign.clientCert, key: foreign.clientKey },
      { cert: pki.serverCert, key: pki.serverKey },
    ];
    for (const c of cases) {
      seen.length = 0;
      const r = await call(c);
      assert.equal(r.status, 401, JSON.stringify(Object.keys(c)));
      assert.deepEqual(seen, [null]);
      assert.deepEqual(JSON.parse(r.body), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
  });
});
