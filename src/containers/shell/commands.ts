// The utilities a container image's shell finds on its PATH, busybox-flavoured (messages as busybox prints them).
import { FsError, modeString, normalize } from '../fs.js';
import { readAll, type Sink, type Source } from './io.js';
import { testExpression } from './test-expr.js';

export interface CommandContext {
  stdin: Source;
  stdout: Sink;
  stderr: Sink;
  env: Record<string, string>;
  cwd: string;
  sys: import('./interp.js').System;
  shell: import('./interp.js').Shell;
}

export type Program = (ctx: CommandContext, argv: string[]) => Promise<number>;

function path(ctx: CommandContext, p: string): string {
  return normalize(p, ctx.cwd);
}

/** Splits leading single-letter flags (`-rf`) from operands. */
function flags(args: string[], withValue = ''): { f: Map<string, string>; rest: string[] } {
  const f = new Map<string, string>();
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      i++;
      break;
    }
    if (!/^-[A-Za-z0-9]/.test(a) || /^-\d+$/.test(a) && !withValue.includes('n')) break;
    for (let j = 1; j < a.length; j++) {
      const ch = a[j] as string;
      if (withValue.includes(ch)) {
        f.set(ch, a.slice(j + 1) || (args[++i] ?? ''));
        break;
      }
      f.set(ch, '');
    }
  }
  return { f, rest: args.slice(i) };
}

async function inputs(ctx: CommandContext, files: string[], each: (text: string, name: string) => void | Promise<void>): Promise<number> {
  if (files.length === 0) files = ['-'];
  let code = 0;
  for (const name of files) {
    try {
      await each(name === '-' ? await readAll(ctx.stdin) : ctx.sys.fs.readFile(path(ctx, name)), name);
    } catch (err) {
      if (!(err instanceof FsError)) throw err;
      ctx.stderr(`${ctx.shell.argv0 === 'sh' ? '' : ''}${currentName}: ${name}: ${err.text}\n`);
      code = 1;
    }
  }
  return code;
}
let currentName = '';

function lines(text: string): string[] {
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

function escapes(s: string): string {
  return s.replace(/\\(0[0-7]{0,3}|[abfnrtv\\c])/g, (_m, e: string) => {
    if (e[0] === '0') return String.fromCharCode(Number.parseInt(e.slice(1) || '0', 8));
    return ({ a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', c: '' } as Record<string, string>)[e] ?? e;
  });
}

function printf(format: string, args: string[]): string {
  let out = '';
  let i = 0;
  do {
    const before = i;
    out += format.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdifxXoc%b])|\\(0[0-7]{0,3}|[abfnrtv\\])/g, (m, fl: string, w: string, prec: string, conv: string) => {
      if (!conv) return escapes(m);
      if (conv === '%') return '%';
      const a = args[i++] ?? '';
      let v: string;
      if (conv === 's' || conv === 'b') v = conv === 'b' ? escapes(a) : a;
      else if (conv === 'c') v = a.charAt(0);
      else if (conv === 'f') v = (Number(a) || 0).toFixed(prec ? Number(prec) : 6);
      else {
        const n = Number.parseInt(a, a.startsWith('0x') ? 16 : 10) || 0;
        v = conv === 'x' ? n.toString(16) : conv === 'X' ? n.toString(16).toUpperCase() : conv === 'o' ? n.toString(8) : String(n);
      }
      if (prec && conv === 's') v = v.slice(0, Number(prec));
      const width = Number(w || 0);
      if (v.length < width) v = fl.includes('-') ? v.padEnd(width) : v.padStart(width, fl.includes('0') && conv !== 's' ? '0' : ' ');
      return v;
    });
    if (i === before) break;
  } while (i < args.length);
  return out;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function formatDate(ms: number, fmt?: string): string {
  const d = new Date(ms);
  const parts: Record<string, string> = {
    Y: String(d.getUTCFullYear()), m: pad2(d.getUTCMonth() + 1), d: pad2(d.getUTCDate()), H: pad2(d.getUTCHours()),
    M: pad2(d.getUTCMinutes()), S: pad2(d.getUTCSeconds()), a: DAYS[d.getUTCDay()] as string, b: MONTHS[d.getUTCMonth()] as string,
    e: String(d.getUTCDate()).padStart(2), s: String(Math.floor(ms / 1000)), Z: 'UTC', z: '+0000', T: '', F: '', '%': '%',
    N: String((ms % 1000) * 1_000_000).padStart(9, '0'),
  };
  parts.T = `${parts.H}:${parts.M}:${parts.S}`;
  parts.F = `${parts.Y}-${parts.m}-${parts.d}`;
  if (!fmt) return `${parts.a} ${parts.b} ${parts.e} ${parts.T} UTC ${parts.Y}`;
  return fmt.replace(/%(.)/g, (m, c: string) => parts[c] ?? m);
}

const UNIT_MS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const table: Record<string, Program> = {
  true: async () => 0,
  ':': async () => 0,
  false: async () => 1,
  echo: async (ctx, argv) => {
    let args = argv.slice(1);
    let newline = true;
    let esc = false;
    while (args[0] && /^-[neE]+$/.test(args[0])) {
      if (args[0].includes('n')) newline = false;
      if (args[0].includes('e')) esc = true;
      args = args.slice(1);
    }
    let text = args.join(' ');
    if (esc) {
      const cut = text.indexOf('\\c');
      if (cut >= 0) {
        text = text.slice(0, cut);
        newline = false;
      }
      text = escapes(text);
    }
    ctx.stdout(newline ? `${text}\n` : text);
    return 0;
  },
  printf: async (ctx, argv) => {
    if (argv.length < 2) {
      ctx.stderr('printf: usage: printf FORMAT [ARGUMENT...]\n');
      return 1;
    }
    ctx.stdout(printf(argv[1] as string, argv.slice(2)));
    return 0;
  },
  pwd: async (ctx) => {
    ctx.stdout(`${ctx.shell.cwd}\n`);
    return 0;
  },
  hostname: async (ctx) => {
    ctx.stdout(`${ctx.sys.hostname}\n`);
    return 0;
  },
  whoami: async (ctx) => {
    ctx.stdout('root\n');
    return 0;
  },
  id: async (ctx) => {
    ctx.stdout('uid=0(root) gid=0(root) groups=0(root)\n');
    return 0;
  },
  uname: async (ctx, argv) => {
    ctx.stdout(argv.includes('-a') ? `Linux ${ctx.sys.hostname} 6.8.0 #1 SMP x86_64 GNU/Linux\n` : argv.includes('-n') ? `${ctx.sys.hostname}\n` : 'Linux\n');
    return 0;
  },
  date: async (ctx, argv) => {
    const fmt = argv.slice(1).find((a) => a.startsWith('+'));
    ctx.stdout(`${formatDate(ctx.sys.now(), fmt?.slice(1))}\n`);
    return 0;
  },
  sleep: async (ctx, argv) => {
    let ms = 0;
    for (const a of argv.slice(1)) {
      const m = /^(\d*\.?\d+)([smhd]?)$/.exec(a);
      if (!m) {
        if (a === 'infinity') ms = Infinity;
        else {
          ctx.stderr(`sleep: invalid number '${a}'\n`);
          return 1;
        }
        continue;
      }
      ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 1000);
    }
    if (argv.length < 2) {
      ctx.stderr('sleep: missing operand\n');
      return 1;
    }
    await ctx.sys.sleep(ms);
    return 0;
  },
  env: async (ctx, argv) => {
    const env = { ...ctx.env };
    let i = 1;
    for (; i < argv.length && (argv[i] as string).includes('='); i++) {
      const a = argv[i] as string;
      env[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
    }
    if (i < argv.length) return ctx.shell.exec(argv.slice(i), ctx);
    for (const [k, v] of Object.entries(env)) ctx.stdout(`${k}=${v}\n`);
    return 0;
  },
  printenv: async (ctx, argv) => {
    if (argv.length > 1) {
      let code = 0;
      for (const k of argv.slice(1)) {
        if (ctx.env[k] === undefined) code = 1;
        else ctx.stdout(`${ctx.env[k]}\n`);
      }
      return code;
    }
    for (const [k, v] of Object.entries(ctx.env)) ctx.stdout(`${k}=${v}\n`);
    return 0;
  },
  cat: async (ctx, argv) => inputs(ctx, argv.slice(1).filter((a) => a === '-' || !a.startsWith('-')), (t) => ctx.stdout(t)),
  tee: async (ctx, argv) => {
    const { f, rest } = flags(argv.slice(1));
    const text = await readAll(ctx.stdin);
    for (const file of rest) ctx.sys.fs.writeFile(path(ctx, file), text, f.has('a'));
    ctx.stdout(text);
    return 0;
  },
  head: async (ctx, argv) => {
    const { f, rest } = flags(argv.slice(1), 'nc');
    const n = Number(f.get('n') ?? 10);
    return inputs(ctx, rest, (t) => {
      const l = lines(t).slice(0, n);
      if (l.length) ctx.stdout(`${l.join('\n')}\n`);
    });
  },
  tail: async (ctx, argv) => {
    const { f, rest } = flags(argv.slice(1), 'nc');
    const spec = f.get('n') ?? '10';
    return inputs(ctx, rest, (t) => {
      const all = lines(t);
      const l = spec.startsWith('+') ? all.slice(Number(spec.slice(1)) - 1) : all.slice(-Number(spec) || all.length);
      if (Number(spec) === 0) return;
      if (l.length) ctx.stdout(`${l.join('\n')}\n`);
    });
  },
  wc: async (ctx, argv) => {
    const { f, rest } = flags(argv.slice(1));
    const only = f.size > 0;
    return inputs(ctx, rest, (t, name) => {
      const cols: number[] = [];
      if (!only || f.has('l')) cols.push((t.match(/\n/g) ?? []).length);
      if (!only || f.has('w')) cols.push(t.split(/\s+/).filter(Boolean).length);
      if (!only || f.has('c')) cols.push(Buffer.byteLength(t));
      const text = cols.map((c) => (cols.length > 1 ? String(c).padStart(7) : String(c))).join(' ');
      ctx.stdout(`${text}${name !== '-' ? ` ${name}` : ''}\n`);
    });
  },
  grep: async (ctx, argv) => {
    const { f, rest } = flags(argv.slice(1), 'e');
    const pat = f.get('e') ?? rest.shift();
    if (pat === undefined) {
      ctx.stderr('Usage: grep [-HhnlLoqvsriwFE] PATTERN [FILE]...\n');
      return 2;
    }
    const src = f.has('F') ? pat.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : f.has('E') ? pat : pat.replace(/\\([|(){}+?])/g, '$1').replace(/(^|[^\\])([|(){}+?])/g, '$1\\$2');
    const re = new RegExp(f.has('w') ? `\\b(?:${src})\\b` : f.has('x') ? `^(?:${src})$` : src, f.has('i') ? 'i' : '');
    let found = 0;
    const code = await inputs(ctx, rest, (t, name) => {
      let n = 0;
      for (const [i, l] of lines(t).entries()) {
        if (re.test(l) === f.has('v')) continue;
        n++;
        found++;
        if (f.has('q') || f.has('l') || f.has('c')) continue;
        const prefix = `${rest.length > 1 ? `${name}:` : ''}${f.has('n') ? `${i + 1}:` : ''}`;
        ctx.stdout(f.has('o') ? `${prefix}${re.exec(l)?.[0] ?? ''}\n` : `${prefix}${l}\n`);
      }
      if (f.has('c')) ctx.stdout(`${rest.length > 1 ? `${name}:` : ''}${n}\n`);
      if (f.has('l') && n) ctx.stdout(`${name === '-' ? '(standard input)' : name}\n`);
    });
    return code ? 2 : found ? 0 : 1;
  },
  seq: async (ctx, argv) => {
    const nums = argv.slice(1).map(Number);
    const [first, step, last] = nums.length === 1 ? [1, 1, nums[0]] : nums.length === 2 ? [nums[0], 1, nums[1]] : nums;
    const out: string[] = [];
    for (let i = first as number; (step as number) > 0 ? i <= (last as number) : i >= (last as number); i += step as number) out.push(String(i));
    if (out.length) ctx.stdout(`${out.join('\n')}\n`);
    return 0;
  },
  expr: async (ctx, argv) => {
    const a = argv.slice(1);
    let v: string;
    if (a.length === 1) v = a[0] as string;
    else if (a.length === 3) {
      const [x, op, y] = a as [string, string, string];
      const nx = Number(x);
      const ny = Number(y);
      const numeric = Number.isInteger(nx) && Number.isInteger(ny);
      const ops: Record<string, () => string> = {
        '+': () => String(nx + ny), '-': () => String(nx - ny), '*': () => String(nx * ny),
        '/': () => String(Math.trunc(nx / ny)), '%': () => String(nx % ny),
        '=': () => String(Number(x === y)), '!=': () => String(Number(x !== y)),
        '<': () => String(Number(numeric ? nx < ny : x < y)), '>': () => String(Number(numeric ? nx > ny : x > y)),
        '<=': () => String(Number(numeric ? nx <= ny : x <= y)), '>=': () => String(Number(numeric ? nx >= ny : x >= y)),
        ':': () => String(new RegExp(`^${y}`).exec(x)?.[0].length ?? 0),
      };
      const f = ops[op];
      if (!f || (['+', '-', '*', '/', '%'].includes(op) && !numeric)) {
        ctx.stderr('expr: non-numeric argument\n');
        return 2;
      }
      v = f();
    } else if (a[0] === 'length') v = String((a[1] ?? '').length);
    else {
      ctx.stderr('expr: syntax error\n');
      return 2;
    }
    ctx.stdout(`${v}\n`);
    return v === '0' || v === '' ? 1 : 0;
  },
  basename: async (ctx, argv) => {
    let b = (argv[1] ?? '').replace(/\/+$/, '');
    b = b.slice(b.lastIndexOf('/') + 1);
    if (argv[2] && b.endsWith(argv[2])) b = b.slice(0, -argv[2].length);
    ctx.stdout(`${b}\n`);
    return 0;
  },
  dirname: async (ctx, argv) => {
    const p = (argv[1] ?? '').replace(/\/+$/, '');
    const i = p.lastIndexOf('/');
    ctx.stdout(`${i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i)}\n`);
    return 0;
  },
  test: async (ctx, argv) => testExpression(ctx, argv.slice(1)),
  '[': async (ctx, argv) => {
    if (argv[argv.length - 1] !== ']') {
      ctx.stderr('[: missing ]\n');
      return 2;
    }
    return testExpression(ctx, argv.slice(1, -1));
  },
  touch: async (ctx, argv) => {
    for (const p of flags(argv.slice(1)).rest) {
      const abs = path(ctx, p);
      const e = ctx.sys.fs.stat(abs);
      if (e) e.mtime = ctx.sys.now();
      else ctx.sys.fs.writeFile(abs, '');
    }
    return 0;
  },
  mkdir: async (ctx, argv) => {
    const { f, rest } = flags(argv.slice(1), 'm');
    for (const p of rest) ctx.sys.fs.mkdir(path(ctx, p), f.has('p'));
    return 0;
  },
  rm: async (ctx, argv) => {
    const { f, rest } = flags(argv.slice(1));
    let code = 0;
    for (const p of rest) {
      const abs = path(ctx, p);
      const e = ctx.sys.fs.stat(abs);
      if (!e) {
        if (!f.has('f')) {
          ctx.stderr(`rm: can't remove '${p}': No such file or directory\n`);
          code = 1;
        }
        continue;
      }
      if (e.kind === 'dir' && !f.has('r') && !f.has('R')) {
        ctx.stderr(`rm: '${p}' is a directory\n`);
        code = 1;
        continue;
      }
      ctx.sys.fs.remove(abs, true);
    }
    return code;
  },
  rmdir: async (ctx, argv) => {
    for (const p of argv.slice(1)) ctx.sys.fs.remove(path(ctx, p));
    return 0;
  },
  cp: async (ctx, argv) => copyOrMove(ctx, argv, false),
  mv: async (ctx, argv) => copyOrMove(ctx, argv, true),
  ls: async (ctx, argv) => {
    const { f, rest } = flags(argv.slice(1));
    const targets = rest.length ? rest : ['.'];
    let code = 0;
    const all = f.has('a');
    const long = f.has('l') || f.has('n');
    const follow = f.has('L');
    // busybox's long format: mode, links, owner, group, size, date, name (and a link's target).
    const fmt = (name: string, abs: string) => {
      if (!long) return name;
      const e = follow ? ctx.sys.fs.stat(abs) : ctx.sys.fs.lstat(abs);
      if (!e) return name;
      const size = e.kind === 'file' ? Buffer.byteLength(e.data) : e.kind === 'link' ? Buffer.byteLength(e.target) : 4096;
      const links = e.kind === 'dir' ? 2 + safeList(ctx, abs).filter((n) => ctx.sys.fs.lstat(normalize(n, abs))?.kind === 'dir').length : 1;
      const when = formatDate(e.mtime, '%b %e %H:%M');
      const owner = f.has('n') ? '0        0       ' : 'root     root    ';
      return `${modeString(e)} ${String(links).padStart(4)} ${owner} ${String(size).padStart(8)} ${when} ${name}${e.kind === 'link' ? ` -> ${e.target}` : ''}`;
    };
    const sections: string[] = [];
    for (const t of targets) {
      const abs = path(ctx, t);
      const e = ctx.sys.fs.stat(abs);
      if (!e) {
        ctx.stderr(`ls: ${t}: No such file or directory\n`);
        code = 1;
        continue;
      }
      const self = ctx.sys.fs.lstat(abs);
      if (e.kind === 'file' || f.has('d') || (long && !follow && self?.kind === 'link' && !t.endsWith('/'))) {
        sections.push(`${fmt(t, abs)}\n`);
        continue;
      }
      const names = ctx.sys.fs.list(abs).filter((n) => all || !n.startsWith('.'));
      const rows = [...(all ? [fmt('.', abs), fmt('..', normalize('..', abs))] : []), ...names.map((n) => fmt(n, normalize(n, abs)))];
      const head = targets.length > 1 ? `${t}:\n` : '';
      sections.push(`${head}${long ? `total ${names.length * 4}\n` : ''}${rows.length ? `${rows.join('\n')}\n` : ''}`);
    }
    ctx.stdout(sections.join('\n'));
    return code;
  },
  sh: (ctx, argv) => runShell(ctx, argv),
  bash: (ctx, argv) => runShell(ctx, argv),
  ash: (ctx, argv) => runShell(ctx, argv),
};

function safeList(ctx: CommandContext, abs: string): string[] {
  try {
    return ctx.sys.fs.list(abs);
  } catch {
    return [];
  }
}

async function copyOrMove(ctx: CommandContext, argv: string[], move: boolean): Promise<number> {
  const name = move ? 'mv' : 'cp';
  const { f, rest } = flags(argv.slice(1));
  if (rest.length < 2) {
    ctx.stderr(`${name}: missing file operand\n`);
    return 1;
  }
  const dest = path(ctx, rest.pop() as string);
  const destIsDir = ctx.sys.fs.stat(dest)?.kind === 'dir';
  let code = 0;
  for (const s of rest) {
    const src = path(ctx, s);
    const e = ctx.sys.fs.stat(src);
    if (!e) {
      ctx.stderr(`${name}: can't stat '${s}': No such file or directory\n`);
      code = 1;
      continue;
    }
    const target = destIsDir ? normalize(src.slice(src.lastIndexOf('/') + 1), dest) : dest;
    if (e.kind === 'dir') {
      if (!move && !f.has('r') && !f.has('R') && !f.has('a')) {
        ctx.stderr(`cp: omitting directory '${s}'\n`);
        code = 1;
        continue;
      }
      for (const [p, entry] of ctx.sys.fs.walk(src)) {
        const to = target + p.slice(src.length);
        if (entry.kind === 'dir') ctx.sys.fs.mkdir(to, true);
        else ctx.sys.fs.writeFile(to, entry.kind === 'file' ? entry.data : ctx.sys.fs.readFile(p));
      }
    } else ctx.sys.fs.writeFile(target, ctx.sys.fs.readFile(src));
    if (move) ctx.sys.fs.remove(src, true);
  }
  return code;
}

/** `sh -c SCRIPT [NAME ARGS...]`, `sh FILE ARGS...`, or `sh` reading its script from stdin. */
export async function runShell(ctx: CommandContext, argv: string[]): Promise<number> {
  const { Shell } = await import('./interp.js');
  const args = argv.slice(1);
  let script: string;
  let params: string[] = [];
  let argv0 = 'sh';
  const opts: string[] = [];
  while (args[0] && /^[-+][a-z]+$/.test(args[0]) && args[0] !== '-c') opts.push(args.shift() as string);
  if (args[0] === '-c') {
    script = args[1] ?? '';
    if (args.length > 2) {
      argv0 = args[2] as string;
      params = args.slice(3);
    }
  } else if (args[0] !== undefined) {
    try {
      script = ctx.sys.fs.readFile(path(ctx, args[0]));
    } catch {
      ctx.stderr(`sh: can't open '${args[0]}': No such file or directory\n`);
      return 2;
    }
    argv0 = args[0];
    params = args.slice(1);
  } else {
    script = await readAll(ctx.stdin);
  }
  const sh = new Shell(ctx.sys, ctx.env, { cwd: ctx.cwd, argv0, params });
  for (const o of opts) for (const ch of o.slice(1)) if (o[0] === '-') sh.options.add(ch);
  return sh.run(script, ctx);
}

export function builtinCommand(name: string): Program | undefined {
  const p = table[name];
  if (!p) return undefined;
  return (ctx, argv) => {
    currentName = name;
    return p(ctx, argv);
  };
}
