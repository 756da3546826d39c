// The simulated POSIX shell: parses with just-bash's parser (a maintained bash grammar with a typed AST) and
// interprets the tree itself, because a container's shell must stream its output as it runs and sleep on the
// cluster clock — just-bash's own interpreter returns output only when a script ends.
import { parse } from 'just-bash';
import type { CommandNode, PipelineNode, RedirectionNode, ScriptNode, SimpleCommandNode, StatementNode, WordNode } from './ast.js';
import type { ContainerFs } from '../fs.js';
import { FsError, normalize } from '../fs.js';
import { builtinCommand, type Program } from './commands.js';
import { arith, type ExpandHost, expandString, expandWords, ShellError } from './expand.js';
import { globToRegExp, hasGlob } from './glob.js';
import { EMPTY, Pipe, type Sink, type Source, textSource } from './io.js';

/** What the container gives its shells. */
export interface System {
  fs: ContainerFs;
  hostname: string;
  now(): number;
  /** Waits on the cluster clock. */
  sleep(ms: number): Promise<void>;
  /** Programs beyond the shell's own utilities (image behaviours, network clients). */
  programs?: ReadonlyMap<string, Program>;
  /** Called between statements and loop rounds; throws to stop the script (^C on a terminal). */
  checkpoint?(): void;
}

export interface Io {
  stdin: Source;
  stdout: Sink;
  stderr: Sink;
}

export class ExitSignal {
  constructor(readonly code: number) {}
}
class ReturnSignal {
  constructor(readonly code: number) {}
}
class LoopSignal {
  constructor(
    readonly kind: 'break' | 'continue',
    public levels: number,
  ) {}
}

type Compound = Exclude<CommandNode, SimpleCommandNode>;

export class Shell {
  readonly vars = new Map<string, string>();
  readonly exported = new Set<string>();
  readonly functions = new Map<string, Compound>();
  params: string[] = [];
  status = 0;
  cwd: string;
  options = new Set<string>();
  private loopDepth = 0;

  constructor(
    readonly sys: System,
    env: Record<string, string>,
    opts: { cwd?: string; argv0?: string; params?: string[] } = {},
  ) {
    for (const [k, v] of Object.entries(env)) {
      this.vars.set(k, v);
      this.exported.add(k);
    }
    this.cwd = opts.cwd ?? '/';
    this.params = opts.params ?? [];
    this.argv0 = opts.argv0 ?? 'sh';
  }
  argv0: string;

  /** A subshell: a copy of this shell's state that cannot change it. */
  fork(): Shell {
    const s = new Shell(this.sys, {}, { cwd: this.cwd, argv0: this.argv0, params: [...this.params] });
    for (const [k, v] of this.vars) s.vars.set(k, v);
    for (const k of this.exported) s.exported.add(k);
    for (const [k, v] of this.functions) s.functions.set(k, v);
    s.status = this.status;
    s.options = new Set(this.options);
    return s;
  }

  env(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of this.exported) {
      const v = this.vars.get(k);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }

  /** Runs a script to its end; the exit status (an `exit` anywhere ends it). */
  async run(text: string, io: Io): Promise<number> {
    let ast: ScriptNode;
    try {
      ast = parse(text);
    } catch (err) {
      io.stderr(`${this.argv0}: syntax error: ${(err as Error).message.replace(/^Parse error[^:]*:\s*/i, '')}\n`);
      return 2;
    }
    try {
      return await this.statements(ast.statements, io);
    } catch (sig) {
      if (sig instanceof ExitSignal) return sig.code;
      if (sig instanceof ReturnSignal) return sig.code;
      if (sig instanceof LoopSignal) return this.status;
      if (sig instanceof ShellError) {
        io.stderr(`${this.argv0}: ${sig.message}\n`);
        return 2;
      }
      throw sig;
    }
  }

  async statements(list: StatementNode[], io: Io): Promise<number> {
    for (const st of list) await this.statement(st, io);
    return this.status;
  }

  private async statement(st: StatementNode, io: Io): Promise<void> {
    this.sys.checkpoint?.();
    if (st.deferredError) {
      io.stderr(`${this.argv0}: syntax error: unexpected "${st.deferredError.token}"\n`);
      this.status = 2;
      return;
    }
    if (st.background) {
      // Runs alongside; its output still streams. The shell does not wait for it.
      const child = this.fork();
      void child.statement({ ...st, background: false }, io).catch(() => {});
      this.vars.set('!', '1');
      this.status = 0;
      return;
    }
    const first = st.pipelines[0];
    if (!first) return;
    await this.pipeline(first, io);
    for (let i = 1; i < st.pipelines.length; i++) {
      const op = st.operators[i - 1];
      if (op === '&&' && this.status !== 0) continue;
      if (op === '||' && this.status === 0) continue;
      await this.pipeline(st.pipelines[i] as PipelineNode, io);
    }
    if (this.options.has('e') && this.status !== 0 && st.pipelines.length === 1 && !st.pipelines[0]?.negated) throw new ExitSignal(this.status);
  }

  private async pipeline(p: PipelineNode, io: Io): Promise<void> {
    if (p.commands.length === 1) {
      await this.command(p.commands[0] as CommandNode, io);
    } else {
      const runs: Promise<number>[] = [];
      let input = io.stdin;
      p.commands.forEach((c, i) => {
        const last = i === p.commands.length - 1;
        const pipe = last ? undefined : new Pipe();
        const sub = this.fork();
        const cio: Io = { stdin: input, stdout: pipe ? pipe.write : io.stdout, stderr: p.pipeStderr?.[i] && pipe ? pipe.write : io.stderr };
        runs.push(
          sub
            .command(c, cio)
            .then(() => sub.status)
            .catch((sig) => {
              if (sig instanceof ExitSignal || sig instanceof ReturnSignal) return sig.code;
              throw sig;
            })
            .finally(() => pipe?.close()),
        );
        if (pipe) input = pipe;
      });
      const codes = await Promise.all(runs);
      this.status = codes[codes.length - 1] ?? 0;
    }
    if (p.negated) this.status = this.status === 0 ? 1 : 0;
  }

  private async command(c: CommandNode, io: Io): Promise<void> {
    if (c.type === 'SimpleCommand') return this.simple(c, io);
    if (c.type === 'FunctionDef') {
      this.functions.set(c.name, c.body as Compound);
      this.status = 0;
      return;
    }
    const rio = await this.redirect(c.redirections, io);
    if (!rio) return;
    try {
      await this.compound(c, rio.io);
    } finally {
      rio.close();
    }
  }

  private async compound(c: Compound, io: Io): Promise<void> {
    switch (c.type) {
      case 'Group':
        await this.statements(c.body, io);
        return;
      case 'Subshell': {
        const sub = this.fork();
        try {
          await sub.statements(c.body, io);
          this.status = sub.status;
        } catch (sig) {
          if (sig instanceof ExitSignal) this.status = sig.code;
          else throw sig;
        }
        return;
      }
      case 'If': {
        for (const clause of c.clauses) {
          await this.statements(clause.condition, io);
          if (this.status === 0) {
            await this.statements(clause.body, io);
            return;
          }
        }
        if (c.elseBody) await this.statements(c.elseBody, io);
        else this.status = 0;
        return;
      }
      case 'While':
      case 'Until': {
        let last = 0;
        await this.loop(async () => {
          await this.statements(c.condition, io);
          const go = c.type === 'While' ? this.status === 0 : this.status !== 0;
          if (!go) return false;
          await this.statements(c.body, io);
          last = this.status;
          return true;
        });
        this.status = last;
        return;
      }
      case 'For': {
        const words = c.words ? await expandWords(this.expander(io), c.words) : this.params;
        let i = 0;
        this.status = 0;
        await this.loop(async () => {
          if (i >= words.length) return false;
          this.vars.set(c.variable, words[i++] as string);
          await this.statements(c.body, io);
          return true;
        });
        return;
      }
      case 'CStyleFor': {
        const h = this.expander(io);
        if (c.init) arith(h, c.init.expression);
        await this.loop(async () => {
          if (c.condition && !arith(h, c.condition.expression)) return false;
          await this.statements(c.body, io);
          if (c.update) arith(h, c.update.expression);
          return true;
        });
        return;
      }
      case 'Case': {
        const h = this.expander(io);
        const word = await expandString(h, c.word);
        this.status = 0;
        let fallthrough = false;
        for (const item of c.items) {
          let hit = fallthrough;
          for (const p of item.patterns) if (!hit && globToRegExp(await expandString(h, p), false).test(word)) hit = true;
          if (!hit) continue;
          await this.statements(item.body, io);
          if (item.terminator === ';;') return;
          fallthrough = item.terminator === ';&';
        }
        return;
      }
      case 'ArithmeticCommand':
        this.status = arith(this.expander(io), c.expression.expression) ? 0 : 1;
        return;
      default:
        io.stderr(`${this.argv0}: ${c.type}: not supported\n`);
        this.status = 2;
    }
  }

  /** Runs a loop body with break/continue, yielding to the event loop between rounds so a busy loop cannot
   * starve the rest of the process. */
  private async loop(round: () => Promise<boolean>): Promise<void> {
    this.loopDepth++;
    try {
      for (let n = 0; ; n++) {
        if (n % 64 === 63) await new Promise((r) => setImmediate(r));
        this.sys.checkpoint?.();
        try {
          if (!(await round())) return;
        } catch (sig) {
          if (!(sig instanceof LoopSignal)) throw sig;
          if (sig.levels > 1) {
            sig.levels--;
            throw sig;
          }
          if (sig.kind === 'break') return;
        }
      }
    } finally {
      this.loopDepth--;
    }
  }

  private async simple(c: SimpleCommandNode, io: Io): Promise<void> {
    const h = this.expander(io);
    const argv = await expandWords(h, [...(c.name ? [c.name] : []), ...c.args]);
    const assigns: Array<[string, string]> = [];
    for (const a of c.assignments) assigns.push([a.name, a.value ? await expandString(h, a.value) : '']);
    if (argv.length === 0) {
      for (const [k, v] of assigns) this.setVar(k, v);
      const rio = await this.redirect(c.redirections, io);
      rio?.close();
      if (rio && c.assignments.length === 0) this.status = 0;
      else if (rio && !c.args.length) this.status = this.lastSubstStatus ?? 0;
      this.lastSubstStatus = undefined;
      return;
    }
    const rio = await this.redirect(c.redirections, io);
    if (!rio) return;
    try {
      this.status = await this.exec(argv, rio.io, assigns);
    } finally {
      rio.close();
    }
  }

  private lastSubstStatus: number | undefined;

  setVar(name: string, value: string): void {
    if (this.readonly.has(name)) throw new ShellError(`${name}: is read only`);
    this.vars.set(name, value);
  }
  readonly readonly = new Set<string>();

  /** Runs one command by name: function, shell builtin, utility or image program. */
  async exec(argv: string[], io: Io, assigns: Array<[string, string]> = []): Promise<number> {
    const name = argv[0] as string;
    const fn = this.functions.get(name);
    if (fn) {
      const saved = this.params;
      this.params = argv.slice(1);
      for (const [k, v] of assigns) this.setVar(k, v);
      try {
        await this.compound(fn, io);
        return this.status;
      } catch (sig) {
        if (sig instanceof ReturnSignal) return sig.code;
        throw sig;
      } finally {
        this.params = saved;
      }
    }
    const special = this.specialBuiltin(name);
    if (special) {
      for (const [k, v] of assigns) this.setVar(k, v);
      return special(argv.slice(1), io);
    }
    const base = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
    if (name.includes('/') && !this.sys.fs.stat(name) && !this.knownPath(name)) {
      io.stderr(`${this.argv0}: ${name}: not found\n`);
      return 127;
    }
    const env = { ...this.env(), ...Object.fromEntries(assigns) };
    const ctx = { ...io, env, cwd: this.cwd, sys: this.sys, shell: this };
    const program = this.sys.programs?.get(base) ?? builtinCommand(base);
    if (!program) {
      io.stderr(`${this.argv0}: ${name}: not found\n`);
      return 127;
    }
    try {
      return await program(ctx, argv);
    } catch (err) {
      if (err instanceof ExitSignal) return err.code;
      if (err instanceof FsError) {
        io.stderr(`${base}: ${err.path}: ${err.text}\n`);
        return 1;
      }
      throw err;
    }
  }

  /** /bin/x and /usr/bin/x name the same utilities as x. */
  private knownPath(p: string): boolean {
    return /^\/(usr\/)?(local\/)?s?bin\/[^/]+$/.test(p);
  }

  private specialBuiltin(name: string): ((args: string[], io: Io) => Promise<number>) | undefined {
    const b: Record<string, (args: string[], io: Io) => Promise<number> | number> = {
      exit: (a) => {
        throw new ExitSignal(a[0] === undefined ? this.status : Number.parseInt(a[0], 10) & 255);
      },
      return: (a) => {
        throw new ReturnSignal(a[0] === undefined ? this.status : Number.parseInt(a[0], 10) & 255);
      },
      break: (a) => {
        if (!this.loopDepth) return 0;
        throw new LoopSignal('break', Number(a[0] ?? 1));
      },
      continue: (a) => {
        if (!this.loopDepth) return 0;
        throw new LoopSignal('continue', Number(a[0] ?? 1));
      },
      export: (a) => {
        for (const arg of a) {
          const i = arg.indexOf('=');
          const k = i < 0 ? arg : arg.slice(0, i);
          if (i >= 0) this.setVar(k, arg.slice(i + 1));
          this.exported.add(k);
        }
        return 0;
      },
      readonly: (a) => {
        for (const arg of a) {
          const i = arg.indexOf('=');
          const k = i < 0 ? arg : arg.slice(0, i);
          if (i >= 0) this.setVar(k, arg.slice(i + 1));
          this.readonly.add(k);
        }
        return 0;
      },
      local: (a) => {
        for (const arg of a) {
          const i = arg.indexOf('=');
          if (i >= 0) this.setVar(arg.slice(0, i), arg.slice(i + 1));
        }
        return 0;
      },
      unset: (a) => {
        for (const k of a.filter((x) => !x.startsWith('-'))) {
          this.vars.delete(k);
          this.functions.delete(k);
        }
        return 0;
      },
      set: (a, io) => {
        if (a.length === 0) {
          for (const [k, v] of [...this.vars].sort()) io.stdout(`${k}='${v}'\n`);
          return 0;
        }
        let i = 0;
        for (; i < a.length; i++) {
          const f = a[i] as string;
          if (f === '--') {
            i++;
            break;
          }
          if (!/^[-+][a-z]+$/.test(f)) break;
          for (const ch of f.slice(1)) (f[0] === '-' ? this.options.add(ch) : this.options.delete(ch));
        }
        if (i < a.length || a.includes('--')) this.params = a.slice(i);
        if (this.options.has('u')) this.vars.set('-u', 'on');
        else this.vars.delete('-u');
        return 0;
      },
      shift: (a) => {
        const n = Number(a[0] ?? 1);
        if (n > this.params.length) return 1;
        this.params = this.params.slice(n);
        return 0;
      },
      cd: (a, io) => {
        const target = normalize(a[0] ?? this.vars.get('HOME') ?? '/', this.cwd);
        if (this.sys.fs.stat(target)?.kind !== 'dir') {
          io.stderr(`${this.argv0}: cd: can't cd to ${a[0]}: No such file or directory\n`);
          return 2;
        }
        this.cwd = target;
        this.setVar('PWD', target);
        return 0;
      },
      eval: (a, io) => this.run(a.join(' '), io),
      '.': async (a, io) => this.run(this.sys.fs.readFile(normalize(a[0] ?? '', this.cwd)), io),
      read: async (a, io) => {
        const names = a.filter((x) => !x.startsWith('-'));
        const line = await readLine(io.stdin, this);
        if (line === null) return 1;
        const parts = line.split(/[ \t]+/).filter(Boolean);
        names.forEach((n, i) => this.setVar(n, i === names.length - 1 ? parts.slice(i).join(' ') : (parts[i] ?? '')));
        if (names.length === 0) this.setVar('REPLY', line);
        return 0;
      },
      wait: () => 0,
      trap: () => 0,
      ulimit: () => 0,
      umask: () => 0,
    };
    const f = b[name];
    return f ? async (args, io) => f(args, io) : undefined;
  }

  private pendingInput = new WeakMap<Source, string>();
  /** @internal leftover input after `read` consumed a line. */
  takePending(src: Source): string {
    const s = this.pendingInput.get(src) ?? '';
    this.pendingInput.delete(src);
    return s;
  }
  putPending(src: Source, s: string): void {
    this.pendingInput.set(src, s);
  }

  expander(io: Io): ExpandHost {
    return {
      get: (n) => this.vars.get(n),
      set: (n, v) => this.setVar(n, v),
      special: (n) => {
        if (n === '@' || n === '*') return this.params;
        if (n === '#') return String(this.params.length);
        if (n === '?') return String(this.status);
        if (n === '$') return '1';
        if (n === '0') return this.argv0;
        if (/^[1-9]\d*$/.test(n)) return this.params[Number(n) - 1];
        return undefined;
      },
      substitute: async (p) => {
        const sub = this.fork();
        let out = '';
        try {
          await sub.statements(p.body.statements, { stdin: EMPTY, stdout: (s) => (out += s), stderr: io.stderr });
        } catch (sig) {
          if (!(sig instanceof ExitSignal)) throw sig;
          sub.status = sig.code;
        }
        this.lastSubstStatus = sub.status;
        return out;
      },
      glob: (pattern) => this.glob(pattern),
      fail: (m) => {
        throw new ShellError(m);
      },
    };
  }

  private glob(pattern: string): string[] {
    if (!hasGlob(pattern)) return [];
    const abs = pattern.startsWith('/');
    const segs = pattern.split('/').filter(Boolean);
    let paths = [abs ? '/' : this.cwd];
    for (const seg of segs) {
      const next: string[] = [];
      for (const dir of paths) {
        if (!hasGlob(seg)) {
          const p = normalize(seg, dir);
          if (this.sys.fs.stat(p)) next.push(p);
          continue;
        }
        let names: string[] = [];
        try {
          names = this.sys.fs.list(dir);
        } catch {
          continue;
        }
        const re = globToRegExp(seg, true);
        for (const n of names) if ((!n.startsWith('.') || seg.startsWith('.')) && re.test(n)) next.push(normalize(n, dir));
      }
      paths = next;
    }
    const prefix = this.cwd === '/' ? '/' : `${this.cwd}/`;
    return paths.map((p) => (abs ? p : p.startsWith(prefix) ? p.slice(prefix.length) : p)).sort();
  }

  /** Applies redirections; undefined (with status 1 and a message) when one fails. */
  private async redirect(list: RedirectionNode[], io: Io): Promise<{ io: Io; close(): void } | undefined> {
    if (!list.length) return { io, close() {} };
    const fds: Array<Sink | undefined> = [undefined, io.stdout, io.stderr];
    let stdin = io.stdin;
    const h = this.expander(io);
    const fs = this.sys.fs;
    try {
      for (const r of list) {
        const fd = r.fd ?? (r.operator.startsWith('<') ? 0 : 1);
        if (r.target.type === 'HereDoc') {
          let text = await expandString(h, r.target.quoted ? { type: 'Word', parts: [{ type: 'SingleQuoted', value: wordText(r.target.content) }] } : r.target.content);
          if (r.target.stripTabs) text = text.replace(/^\t+/gm, '');
          stdin = textSource(text);
          continue;
        }
        const target = await expandString(h, r.target);
        switch (r.operator) {
          case '<<<':
            stdin = textSource(`${target}\n`);
            break;
          case '<':
          case '<>':
            stdin = textSource(target === '/dev/null' ? '' : fs.readFile(normalize(target, this.cwd)));
            break;
          case '>&':
          case '<&': {
            if (target === '-') fds[fd] = () => {};
            else if (/^\d+$/.test(target)) fds[fd] = fds[Number(target)];
            else fds[1] = fds[2] = this.fileSink(target, false);
            break;
          }
          case '&>':
          case '&>>':
            fds[1] = fds[2] = this.fileSink(target, r.operator === '&>>');
            break;
          default:
            fds[fd] = this.fileSink(target, r.operator === '>>');
        }
      }
    } catch (err) {
      const msg = err instanceof FsError ? `${err.path}: ${err.text}` : (err as Error).message;
      io.stderr(`${this.argv0}: can't open ${msg}\n`);
      this.status = 1;
      return undefined;
    }
    return { io: { stdin, stdout: fds[1] ?? (() => {}), stderr: fds[2] ?? (() => {}) }, close() {} };
  }

  private fileSink(target: string, append: boolean): Sink {
    if (target === '/dev/null') return () => {};
    const path = normalize(target, this.cwd);
    if (!append) this.sys.fs.writeFile(path, '');
    else if (!this.sys.fs.stat(path)) this.sys.fs.writeFile(path, '');
    return (s) => this.sys.fs.writeFile(path, s, true);
  }
}

function wordText(w: WordNode): string {
  return w.parts.map((p) => ('value' in p ? p.value : '')).join('');
}

/** One line from a source, keeping what follows for the next read. */
export async function readLine(src: Source, shell: Shell): Promise<string | null> {
  let buf = shell.takePending(src);
  for (;;) {
    const i = buf.indexOf('\n');
    if (i >= 0) {
      shell.putPending(src, buf.slice(i + 1));
      return buf.slice(0, i);
    }
    const c = await src.read();
    if (c === null) return buf === '' ? null : buf;
    buf += c;
  }
}
