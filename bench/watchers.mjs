// Worker thread for the watch benchmark: opens N watches and reports, per delivered event, the delay between
// the moment the server stored it (carried in an annotation) and the moment this thread read it.
import https from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';

const { url, path, count, ca, cert, key } = workerData;
const agent = new https.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, ca, cert, key });
const latencies = [];
let connected = 0;
const wall = () => performance.timeOrigin + performance.now();

for (let i = 0; i < count; i++) {
  const req = https.request(`${url}${path}`, { agent }, (res) => {
    if (++connected === count) parentPort.postMessage({ type: 'connected' });
    let buf = '';
    res.on('data', (chunk) => {
      const now = wall();
      buf += chunk.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const sent = /"bench\/sent":"([\d.]+)"/.exec(line)?.[1];
        if (sent) latencies.push(now - Number(sent));
        nl = buf.indexOf('\n');
      }
    });
  });
  req.end();
}

parentPort.on('message', (m) => {
  if (m === 'report') {
    parentPort.postMessage({ type: 'latencies', latencies });
    agent.destroy();
  }
});
