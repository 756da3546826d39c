// End-to-end: two `--role apiserver` processes on one etcd hand out Service cluster IPs and node ports from
// shared allocation records, so Services created through both at once never share an address, a value one
// server handed out is refused by the other with kube's message, and a deleted Service's IP can be taken
// again through the other server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EtcdServer, startEtcd } from '../../src/store/testdata/etcd-server.js';
import { kube } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';

let etcd: EtcdServer;
let a: Cluster;
let b: Cluster;
const viaA = kube(() => a);
const viaB = kube(() => b);

const apiserver = () => ['--etcd-servers', etcd.url, '--timing', 'instant', '--role', 'apiserver'];

before(async () => {
  etcd = await startEtcd();
  a = await startKubeloop({ durable: true, args: apiserver() });
  b = await startKubeloop({ durable: true, args: apiserver() });
});

after(async () => {
  await b?.stop();
  await a?.stop();
  await etcd?.stop();
});

/** Runs the jobs a few at a time: many kubectl processes at once would only measure the machine. */
async function inBatches(jobs: Array<() => Promise<unknown>>, size: number): Promise<void> {
  for (let i = 0; i < jobs.length; i += size) await Promise.all(jobs.slice(i, i + size).map((j) => j()));
}

const JSONPATH = '-o=jsonpath={range .items[*]}{.metadata.name} {.spec.clusterIP} {.spec.ports[*].nodePort}{"\\n"}{end}';

function table(out: string): Array<{ name: string; ip: string; nodePorts: string[] }> {
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name = '', ip = '', ...nodePorts] = l.trim().split(/\s+/);
      return { name, ip, nodePorts };
    });
}

describe('Service addresses with two API servers on one etcd', () => {
  it('Services created through both servers at once all get distinct cluster IPs and node ports', async () => {
    const jobs: Array<() => Promise<unknown>> = [];
    for (let i = 0; i < 40; i++) jobs.push(() => (i % 2 ? viaB : viaA).ok(['create', 'service', 'clusterip', `s${i}`, '--tcp=80']));
    for (let i = 0; i < 10; i++) jobs.push(() => (i % 2 ? viaB : viaA).ok(['create', 'service', 'nodeport', `n${i}`, '--tcp=80,443']));
    await inBatches(jobs, 10);

    // Both servers list all 50 (B may be a moment behind A's writes), with the same addresses.
    const wanted = (out: string) => table(out).filter((r) => /^[sn]\d+$/.test(r.name)).length === 50;
    const fromA = table(await viaA.eventually(['get', 'services', JSONPATH], wanted, '50 Services through A')).filter((r) => r.name !== 'kubernetes');
    const fromB = table(await viaB.eventually(['get', 'services', JSONPATH], wanted, '50 Services through B')).filter((r) => r.name !== 'kubernetes');
    assert.deepEqual(fromB, fromA);
    const ips = fromA.map((r) => r.ip);
    assert.ok(ips.every((ip) => /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/.test(ip)), ips.join(' '));
    assert.equal(new Set([...ips, '10.96.0.1']).size, 51, 'every cluster IP is distinct, and none is the kubernetes Service\'s');
    const ports = fromA.flatMap((r) => r.nodePorts);
    assert.equal(ports.length, 20);
    assert.ok(ports.every((p) => Number(p) >= 30000 && Number(p) <= 32767), ports.join(' '));
    assert.equal(new Set(ports).size, 20, `node ports are distinct: ${ports.join(' ')}`);
  });

  it('a cluster IP or node port handed out by one server is refused by the other with kube\'s message', async () => {
    await viaA.ok(['create', 'service', 'clusterip', 'fixed', '--tcp=80', '--clusterip=10.96.0.100']);
    const ipErr = await viaB.fails(['create', 'service', 'clusterip', 'fixed-two', '--tcp=80', '--clusterip=10.96.0.100']);
    assert.match(
      ipErr,
      /Service "fixed-two" is invalid: spec\.clusterIPs: Invalid value: \[\]string\{"10\.96\.0\.100"\}: failed to allocate IP 10\.96\.0\.100: provided IP is already allocated/,
    );
    await viaB.ok(['create', 'service', 'nodeport', 'np', '--tcp=80', '--node-port=30555']);
    const portErr = await viaA.fails(['create', 'service', 'nodeport', 'np-two', '--tcp=80', '--node-port=30555']);
    assert.match(portErr, /Service "np-two" is invalid: spec\.ports\[0\]\.nodePort: Invalid value: 30555: provided port is already allocated/);
    // Neither refused create left anything behind.
    await viaA.fails(['get', 'service', 'fixed-two']);
    await viaB.fails(['get', 'service', 'np-two']);
  });

  it('deleting a Service through one server frees its IP for the other', async () => {
    await viaA.ok(['delete', 'service', 'fixed']);
    // B's cache follows A's delete within moments: retry until it has.
    const out = await viaB.eventually(['create', 'service', 'clusterip', 'fixed-again', '--tcp=80', '--clusterip=10.96.0.100'], () => true, 'the freed IP', 20_000);
    assert.match(out, /service\/fixed-again created/);
    const ip = await viaA.eventually(['get', 'service', 'fixed-again', '-o=jsonpath={.spec.clusterIP}'], (o) => o === '10.96.0.100', 'the Service through A');
    assert.equal(ip, '10.96.0.100');
  });
});
