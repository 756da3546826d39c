import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { Cluster } from '../../cluster/cluster.js';
import { FakeClock } from '../../clock/clock.js';
import { MemoryStore } from '../../store/memory.js';

/** Sends a raw upgrade request and returns the first line of the answer. */
function upgrade(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`);
    });
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
    s.on('error', reject);
  });
}

test('a malformed escape in an exec or port-forward path is a 400, and the server keeps serving', async () => {
  const cluster = new Cluster({ store: new MemoryStore(), clock: new FakeClock(), nodes: 1, timing: 'instant', seed: 1 });
  const { port } = await cluster.start(0, '127.0.0.1');
  try {
    assert.equal(await upgrade(port, '/api/v1/namespaces/%zz/pods/web/exec?command=sh&stdout=1'), 'HTTP/1.1 400 BadRequest');
    assert.equal(await upgrade(port, '/api/v1/namespaces/default/pods/%E0%A4%A/portforward?ports=80'), 'HTTP/1.1 400 BadRequest');
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(res.status, 200);
  } finally {
    await cluster.stop();
  }
});
