// End-to-end: the streaming subresources through the real kubectl — `exec -it` on a pseudo-terminal (prompt, echo,
// erase, ^C, state between lines, exit codes), `attach` (output from now on; `run -it --rm` with a shell), and
// `port-forward` with a real HTTP GET through the forwarded port.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startKubeloop } from './harness.js';
import { kube } from './expect.js';
import { findKubectl } from './kubectl.js';

let c: Cluster;
let kubectlBin: string;
let dir: string;
const { ok, eventually } = kube(() => c);

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '1', '--timing', 'instant'] });
  kubectlBin = await findKubectl();
  dir = await mkdtemp(join(tmpdir(), 'kubeloop-streams-'));
});

after(async () => {
  await c?.stop();
});

function clientEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(KUBECONFIG|KUBECACHEDIR|KUBERC|KUBECTL_.*)$/.test(k)) env[k] = v;
  return { ...env, HOME: c.home, KUBECONFIG: c.kubeconfig };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** kubectl on a pseudo-terminal (util-linux `script`), so `-t` gets a real TTY: type keys, wait for output. */
function onTerminal(args: string[]) {
  const child: ChildProcess = spawn('script', ['-qfec', [kubectlBin, ...args].map(quote).join(' '), '/dev/null'], { env: clientEnv() });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString('utf8');
    for (const w of [...waiters]) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return {
    get output() {
      return out;
    },
    type(keys: string) {
      child.stdin?.write(keys);
    },
    /** Waits until the output after `from` matches. */
    async waitFor(re: RegExp, from = 0, timeoutMs = 20_000): Promise<number> {
      const end = Date.now() + timeoutMs;
      while (!re.test(out.slice(from))) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${re}; terminal shows ${JSON.stringify(out)}`);
        await new Promise<void>((r) => {
          const w = () => {
            waiters.delete(w);
            r();
          };
          waiters.add(w);
          setTimeout(w, 200);
        });
      }
      return out.length;
    },
    async exit(timeoutMs = 20_000): Promise<number> {
      child.stdin?.end();
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(t);
      }
    },
  };
}

const ready = (name: string) => ok(['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s']);

describe('streams through kubectl', () => {
  it('exec -it sh on busybox: prompt, echo, erase, state between lines, ^C, exit code', async () => {
    await ok(['run', 'bb', '--image=busybox']);
    await ready('bb');
    const t = onTerminal(['exec', '-it', 'bb', '--', 'sh']);
    let at = await t.waitFor(/\/ # $/);
    t.type('hostname\r');
    at = await t.waitFor(/hostname\r\nbb\r\n\/ # $/, at);
    t.type('cd /tmp; X=41\r');
    at = await t.waitFor(/\/tmp # $/, at);
    t.type('echo $((X+1)) $(pwd)x\x7f\r');
    at = await t.waitFor(/42 \/tmp\r\n\/tmp # $/, at);
    t.type('sleep 1000\r');
    await t.waitFor(/sleep 1000\r\n$/, at);
    t.type('\x03');
    at = await t.waitFor(/\^C\r\n\/tmp # $/, at);
    t.type('while true; do echo y; done\r');
    at = await t.waitFor(/y\r\ny\r\n/, at);
    t.type('\x03');
    at = await t.waitFor(/\^C\r\n\/tmp # $/, at);
    t.type('echo $?\r');
    at = await t.waitFor(/130\r\n\/tmp # $/, at);
    t.type('exit 3\r');
    await t.waitFor(/command terminated with exit code 3/, at);
    assert.equal(await t.exit(), 3);
  });

  it('exec -it bash on nginx gets a bash prompt; ^D on an empty line exits 0', async () => {
    await ok(['run', 'web', '--image=nginx']);
    await ready('web');
    const t = onTerminal(['exec', '-it', 'web', '--', 'bash']);
    let at = await t.waitFor(/root@web:\/# $/);
    t.type('cd /usr/share/nginx/html && ls\r');
    at = await t.waitFor(/index\.html[\s\S]*root@web:\/usr\/share\/nginx\/html# $/, at);
    t.type('\x04');
    await t.waitFor(/exit\r\n/, at);
    assert.equal(await t.exit(), 0);
  });

  it('attach streams output from now on; run -it --rm gives a shell and the exit code', async () => {
    await ok(['run', 'ticker', '--image=busybox', '--', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 1; done']);
    await ready('ticker');
    await eventually(['logs', 'ticker'], (o) => /tick 2/.test(o), 'ticker ticking');
    const r = await c.kubectl(['attach', 'ticker'], { timeoutMs: 3500 });
    const ticks = [...r.stdout.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
    assert.ok(ticks.length >= 1, `attach printed ${JSON.stringify(r.stdout)} ${r.stderr}`);
    assert.ok((ticks[0] as number) >= 2, 'attach starts from now, not from the beginning');

    const t = onTerminal(['run', '-it', '--rm', 't', '--image=busybox', '--restart=Never', '--', 'sh']);
    let at = await t.waitFor(/try pressing enter/);
    t.type('\r');
    at = await t.waitFor(/\/ # $/, at);
    t.type('hostname\r');
    at = await t.waitFor(/\r\nt\r\n\/ # $/, at);
    t.type('exit 2\r');
    await t.waitFor(/pod "t" deleted/, at);
    assert.equal(await t.exit(), 2);
  });

  it('attach -it to a pod with stdin and tty; ending the session leaves it running', async () => {
    const f = join(dir, 'console.yaml');
    await writeFile(f, 'apiVersion: v1\nkind: Pod\nmetadata: {name: console}\nspec:\n  containers:\n  - {name: sh, image: busybox, stdin: true, tty: true}\n');
    await ok(['apply', '-f', f]);
    await ready('console');
    const t = onTerminal(['attach', '-it', 'console']);
    let at = await t.waitFor(/try pressing enter/);
    t.type('echo attached-$((6*7))\r');
    at = await t.waitFor(/attached-42\r\n\/ # $/, at);
    // kubectl has no detach keys: the session ends when its input does; the container keeps running.
    assert.equal(await t.exit(), 0);
    assert.match(t.output.slice(at), /Session ended, resume using 'kubectl attach console -c sh -i -t'/);
    assert.equal(await ok(['get', 'pod', 'console', '-o', 'jsonpath={.status.phase}']), 'Running');
  });

  for (const [how, env] of [['WebSocket', {}], ['SPDY (the fallback)', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }]] as const) {
  it(`port-forward over ${how} reaches nginx: a real HTTP GET through the local port, an access log line`, async () => {
    const pf = spawn(kubectlBin, ['port-forward', 'pod/web', ':80'], { env: { ...clientEnv(), ...env } });
    try {
      let out = '';
      pf.stderr.on('data', (d) => (out += d));
      const port = await new Promise<number>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no forwarding line: ${out}`)), 20_000);
        pf.stdout.on('data', (d) => {
          out += d;
          const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(Number(m[1]));
          }
        });
      });
      const res = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /Welcome to nginx!/);
      const missing = await fetch(`http://127.0.0.1:${port}/nope`);
      assert.equal(missing.status, 404);
      await missing.text();
      await eventually(['logs', 'web'], (o) => /127\.0\.0\.1 - - \[[^\]]+\] "GET \/nope HTTP\/1\.1" 404/.test(o), 'access log line');
    } finally {
      pf.kill();
    }
  });
  }

  it('port-forward to a port nothing listens on: the kubelet message on the error stream', async () => {
    const pf = spawn(kubectlBin, ['port-forward', 'pod/web', ':81'], { env: clientEnv() });
    try {
      let out = '';
      pf.stderr.on('data', (d) => (out += d));
      const port = await new Promise<number>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no forwarding line: ${out}`)), 20_000);
        pf.stdout.on('data', (d) => {
          out += d;
          const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 81/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(Number(m[1]));
          }
        });
      });
      await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()).catch(() => undefined);
      const end = Date.now() + 10_000;
      while (!/connect: connection refused/.test(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, /an error occurred forwarding \d+ -> 81: error forwarding port 81 to pod .*dial tcp4 127\.0\.0\.1:81: connect: connection refused/);
    } finally {
      pf.kill();
    }
  });
});
