// The terminal line discipline (echo, erase, kill, ^C, ^D, escape sequences, \r\n output) and the interactive
// shell on it (prompts per flavour, state between lines, continuation lines, ^C of a sleep and of a busy loop,
// exit codes), on a fake clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../clock/clock.js';
import { ContainerFs, FileTree } from '../fs.js';
import { ContainerConsole, isInteractiveShell, runOnTerminal, shellFlavour, Terminal } from './interactive.js';
import { Shell, type System } from './interp.js';
import { Pipe } from './io.js';

function system(clock = new FakeClock()): System {
  const fs = new ContainerFs(FileTree.from({ '/tmp/.keep': '', '/root/.keep': '' }), [], () => clock.now());
  return { fs, hostname: 'bb', now: () => clock.now(), sleep: (ms) => clock.sleep(ms) };
}

const tick = () => new Promise((r) => setImmediate(r));
async function settle(n = 20) {
  for (let i = 0; i < n; i++) await tick();
}

function screen() {
  let out = '';
  const term = new Terminal((s) => (out += s));
  return { term, get out() { return out; }, take() { const o = out; out = ''; return o; } };
}

describe('Terminal (line discipline)', () => {
  it('echoes, erases with DEL and backspace, kills the line with ^U, and hands out finished lines', async () => {
    const s = screen();
    s.term.input('ecx\x7fho hi\r');
    assert.equal(await s.term.read(), 'echo hi\n');
    assert.equal(s.take(), 'ecx\b \bho hi\r\n');
    s.term.input('junk\x15ls\n');
    assert.equal(await s.term.read(), 'ls\n');
    assert.equal(s.take(), 'junk\b \b\b \b\b \b\b \bls\r\n');
    s.term.input('one two\x17x\r');
    assert.equal(await s.term.read(), 'one x\n');
  });

  it('^D: end of file on an empty line, else the line without a newline; escape sequences are swallowed', async () => {
    const s = screen();
    s.term.input('\x04');
    assert.equal(await s.term.read(), null);
    s.term.input('ab\x04');
    assert.equal(await s.term.read(), 'ab');
    s.take();
    s.term.input('a\x1b[Ab\x1bOC\r');
    assert.equal(await s.term.read(), 'ab\n');
    assert.equal(s.take(), 'ab\r\n');
  });

  it('^C echoes ^C, drops the line and type-ahead, and tells the listeners; output gets \\r\\n', async () => {
    const s = screen();
    let hits = 0;
    s.term.onInterrupt(() => hits++);
    s.term.input('queued\rhalf\x03');
    assert.equal(hits, 1);
    assert.equal(s.take(), 'queued\r\nhalf^C');
    s.term.input('next\r');
    assert.equal(await s.term.read(), 'next\n');
    s.term.write('a\nb\r\n');
    assert.equal(s.take(), 'next\r\na\r\nb\r\n');
  });
});

describe('interactive shell', () => {
  it('knows which argv is an interactive shell and which prompt an image has', () => {
    assert.ok(isInteractiveShell(['sh']));
    assert.ok(isInteractiveShell(['/bin/bash', '-l']));
    assert.ok(!isInteractiveShell(['sh', '-c', 'echo']));
    assert.ok(!isInteractiveShell(['cat']));
    assert.equal(shellFlavour('busybox', 'sh'), 'ash');
    assert.equal(shellFlavour('nginx:1.27-alpine', 'bash'), 'ash');
    assert.equal(shellFlavour('nginx', 'sh'), 'dash');
    assert.equal(shellFlavour('nginx', '/bin/bash'), 'bash');
  });

  it('prompts, runs lines with state kept, continues incomplete lines, exits with exit N', async () => {
    const s = screen();
    const done = runOnTerminal({ sys: system(), image: 'busybox', newShell: (x) => new Shell(x, { HOME: '/root' }) }, ['sh'], s.term);
    await settle();
    assert.equal(s.take(), '/ # ');
    s.term.input('cd /root; X=5\r');
    await settle();
    assert.equal(s.take(), 'cd /root; X=5\r\n~ # ');
    s.term.input('if true; then\r');
    await settle();
    assert.equal(s.take(), 'if true; then\r\n> ');
    s.term.input('echo $X $(hostname)\rfi\r');
    await settle();
    // Type-ahead echoes at once, as on a real terminal; the continuation prompt follows.
    assert.equal(s.take(), 'echo $X $(hostname)\r\nfi\r\n> 5 bb\r\n~ # ');
    s.term.input('nosuch\r');
    await settle();
    assert.equal(s.take(), 'nosuch\r\nsh: nosuch: not found\r\n~ # ');
    s.term.input('exit 3\r');
    assert.equal(await done, 3);
  });

  it('^C stops a sleep and a busy loop, abandons a typed line; ^D exits with the last status', async () => {
    const clock = new FakeClock();
    const s = screen();
    const done = runOnTerminal({ sys: system(clock), image: 'debian', newShell: (x) => new Shell(x, { HOME: '/root' }) }, ['bash'], s.term);
    await settle();
    assert.equal(s.take(), 'root@bb:/# ');
    s.term.input('sleep 100; echo after\r');
    await settle();
    s.term.input('\x03');
    await settle();
    assert.equal(s.take(), 'sleep 100; echo after\r\n^C\r\nroot@bb:/# ');
    s.term.input('while true; do :; done\r');
    await settle(200);
    s.term.input('\x03');
    await settle(200);
    assert.match(s.take(), /\^C\r\nroot@bb:\/# $/);
    s.term.input('echo $?\r');
    await settle();
    assert.equal(s.take(), 'echo $?\r\n130\r\nroot@bb:/# ');
    s.term.input('half typed\x03');
    await settle();
    assert.equal(s.take(), 'half typed^C\r\nroot@bb:/# ');
    s.term.input('false\r\x04');
    assert.equal(await done, 1);
    assert.match(s.out, /exit\r\n$/);
  });

  it('runs a plain command on the terminal with it as stdin; ^C ends it with 130', async () => {
    const s = screen();
    const sys = system();
    const session = { sys, newShell: (x: System) => new Shell(x, {}) };
    const code = runOnTerminal(session, ['cat'], s.term);
    s.term.input('hello\r');
    await settle();
    s.term.input('\x03');
    assert.equal(await code, 130);
    assert.equal(s.out, 'hello\r\n^C\r\n');
  });
});

describe('ContainerConsole', () => {
  it('without a terminal: output to the log and to attached clients, stdin through a pipe, stdinOnce closes it', async () => {
    const log: string[] = [];
    const con = new ContainerConsole({ stdin: true, tty: false, stdinOnce: true }, { stdout: (s) => log.push(s), stderr: (s) => log.push(`E:${s}`) }, () => new Pipe());
    const seen: string[] = [];
    const detach = con.attach((stream, text) => seen.push(`${stream}:${text}`));
    const shell = new Shell(system(), {});
    const code = con.run(['cat'], { sys: shell.sys, newShell: (x) => new Shell(x, {}) }, (argv, io) => shell.exec(argv, io));
    con.input('typed\n');
    detach();
    assert.equal(await code, 0);
    assert.deepEqual(seen, []);
    assert.deepEqual(log, ['typed\n']);
  });

  it('with a terminal: the shell prompt reaches attached clients as it is written', async () => {
    const log: string[] = [];
    const con = new ContainerConsole({ stdin: true, tty: true, stdinOnce: false }, { stdout: (s) => log.push(s), stderr: (s) => log.push(s) }, () => new Pipe());
    const sys = system();
    const code = con.run(['sh'], { sys, image: 'busybox', newShell: (x) => new Shell(x, {}) }, async () => 99);
    await settle();
    const seen: string[] = [];
    con.attach((_s, text) => seen.push(text));
    con.input('echo hi\r');
    await settle();
    assert.equal(seen.join(''), 'echo hi\r\nhi\r\n/ # ');
    con.closeStdin();
    assert.equal(await code, 0);
    assert.equal(log.join(''), '/ # echo hi\r\nhi\r\n/ # \r\n');
  });
});
