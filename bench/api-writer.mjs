// Worker thread for the backend benchmarks: `count` ConfigMap creates (1 KiB of data each) over `concurrency`
// keep-alive HTTPS connections, each connection sending its next create only once the previous one was
// answered 201 (the API answers after the write is durable). Reports the wall time and every request's latency.
// Runs off the caller's event loop so timing the requests never waits behind the caller's own work.
import https from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';

const { url, namespace, prefix, count, concurrency, ca, cert, key } = workerData;
const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency, ca, cert, key });
const filler = 'x'.repeat(1024);

function configMap(name) {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'bench' } }, data: { filler } });
}

function create(name) {
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}/api/v1/namespaces/${namespace}/configmaps`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`create ${name}: ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`))));
    });
    req.on('error', reject);
    req.end(configMap(name));
  });
}

// Open every connection first: TLS handshakes are not what this measures.
await Promise.all(Array.from({ length: concurrency }, (_, i) => create(`${prefix}-warm-${i}`)));
const latencies = new Float64Array(count);
let next = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      const t = performance.now();
      await create(`${prefix}-${i}`);
      latencies[i] = performance.now() - t;
    }
  }),
);
parentPort.postMessage({ ms: performance.now() - t0, latencies: Array.from(latencies) });
agent.destroy();
