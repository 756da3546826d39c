// Worker thread for the HTTPS create benchmark: sends `count` pod creates over `concurrency` keep-alive
// connections and reports how long they took (the load runs off the server's event loop, as real clients do).
import https from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';

const { url, count, concurrency, ca, cert, key } = workerData;
const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency, ca, cert, key });

function pod(i) {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `https-${i}`, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
  });
}

function create(i) {
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}/api/v1/namespaces/default/pods`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(pod(i));
  });
}

// Warm the connections (TLS handshakes are not what this measures).
await Promise.all(Array.from({ length: concurrency }, (_, i) => create(count + i)));
let next = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < count) await create(next++);
  }),
);
parentPort.postMessage({ ms: performance.now() - t0 });
agent.destroy();
