// The simulated shell against a table of scripts: what they print and the status they end with.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../clock/clock.js';
import { ContainerFs, FileTree } from './fs.js';
import { Shell, type System } from './shell/interp.js';
import { textSource } from './shell/io.js';

function system(clock = new FakeClock()): System {
  const fs = new ContainerFs(FileTree.from({ '/tmp/.keep': '', '/etc/hostname': 'web-0\n', '/usr/share/nginx/html/index.html': '<h1>hi</h1>\n' }), [], () => clock.now());
  return { fs, hostname: 'web-0', now: () => clock.now(), sleep: (ms) => clock.sleep(ms) };
}

async function run(script: string, stdin = ''): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const sh = new Shell(system(), { HOME: '/root', PATH: '/usr/bin:/bin' });
  const code = await sh.run(script, { stdin: textSource(stdin), stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { out, err, code };
}

const table: Array<[string, string, number, string?]> = [
  ['echo hello world', 'hello world\n', 0],
  ['echo "Logging from $(hostname)"', 'Logging from web-0\n', 0],
  ['x=3; echo $((x * 2 + 1))', '7\n', 0],
  ['exit 3', '', 3],
  ['false || echo fallback', 'fallback\n', 0],
  ['true && echo yes; false && echo no', 'yes\n', 1],
  ['for i in 1 2 3; do echo -n $i; done; echo', '123\n', 0],
  ['i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i', '3\n', 0],
  ['case foo.txt in *.md) echo md;; *.txt) echo txt;; esac', 'txt\n', 0],
  ['f() { echo "arg:$1"; return 4; }; f a; echo $?', 'arg:a\n4\n', 0],
  ['echo x > /tmp/f; echo y >> /tmp/f; cat /tmp/f', 'x\ny\n', 0],
  ['echo "$(hostname)" > /usr/share/nginx/html/index.html; cat /usr/share/nginx/html/index.html', 'web-0\n', 0],
  ['seq 5 | grep -v 3 | wc -l', '4\n', 0],
  ['cat <<EOF\nhi $HOME\nEOF', 'hi /root\n', 0],
  ['nosuch arg', '', 127, 'sh: nosuch: not found\n'],
  ['cat /nope', '', 1, 'cat: /nope: No such file or directory\n'],
  ['printf "%s-%03d\\n" a 7', 'a-007\n', 0],
  ['echo ${UNSET:-dflt} ${HOME#/}', 'dflt root\n', 0],
  ['mkdir -p /a/b && touch /a/b/c && ls /a/b', 'c\n', 0],
  ['mv /usr/share/nginx/html/index.html /tmp/; ls /tmp; test -f /usr/share/nginx/html/index.html || echo gone', 'index.html\ngone\n', 0],
  ['expr 2 + 3', '5\n', 0],
  ['[ "a" = "a" ] && echo same', 'same\n', 0],
  ['sh -c \'echo inner; exit 5\'; echo $?', 'inner\n5\n', 0],
  ['set -- a b c; echo $# $2', '3 b\n', 0],
  ['echo one two | { read a b; echo $b $a; }', 'two one\n', 0],
  ['head -n 2 /etc/hostname; echo a b c | tail -c 3 >/dev/null; echo done', 'web-0\ndone\n', 0],
];

describe('simulated shell', () => {
  for (const [script, out, code, err] of table) {
    it(script.replace(/\n/g, '⏎'), async () => {
      const r = await run(script);
      assert.equal(r.out, out);
      assert.equal(r.code, code);
      if (err !== undefined) assert.equal(r.err, err);
    });
  }

  it('reads stdin', async () => {
    assert.equal((await run('cat', 'piped\n')).out, 'piped\n');
  });

  it('streams a loop line by line and sleeps on the injected clock', async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const sh = new Shell(system(clock), {});
    void sh.run('while true; do echo "Logging from $(hostname)"; sleep 10; done', { stdin: textSource(''), stdout: (s) => lines.push(s), stderr: () => {} });
    const tick = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    await tick();
    assert.deepEqual(lines, ['Logging from web-0\n']);
    clock.advance(9_999);
    await tick();
    assert.equal(lines.length, 1);
    clock.advance(1);
    await tick();
    assert.equal(lines.length, 2);
    for (let i = 0; i < 3; i++) {
      clock.advance(10_000);
      await tick();
    }
    assert.equal(lines.length, 5);
  });
});
