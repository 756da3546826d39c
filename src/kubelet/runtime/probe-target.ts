// What the prober reaches in a shell-runtime container: a command run like `kubectl exec` (its output kept
// for the event), the pod's simulated servers by port.
import type { HttpHandler } from '../../containers/http.js';
import { EMPTY } from '../../containers/shell/io.js';
import type { ExecIo } from './directory.js';
import type { ProbeTarget } from './process.js';

export function probeTarget(exec: (argv: string[], io: ExecIo) => Promise<number>, servers: Map<number, HttpHandler>): ProbeTarget {
  return {
    async exec(argv) {
      let output = '';
      const sink = (s: string) => {
        output += s;
      };
      const code = await exec(argv, { stdin: EMPTY, stdout: sink, stderr: sink });
      return { code, output };
    },
    async http(port, req) {
      const handler = servers.get(port);
      return handler ? handler(req) : undefined;
    },
    listening: (port) => servers.has(port),
  };
}
