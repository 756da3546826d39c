// A terminal for simulated programs: the line discipline a pty gives a shell (kubectl puts the user's terminal in
// raw mode and sends keystrokes as they are typed, so echo, erase, ^C and ^D happen here), and an interactive
// shell on it: a prompt as the image's shell prints it (busybox ash `/ # `, dash `# `, bash `root@pod:/# `), lines
// run through the container's shell interpreter one after another with their state kept (cd, variables,
// functions), `exit N` or ^D on an empty line to leave, ^C to abandon a line or stop what runs.
import { parse } from 'just-bash';
import { ExitSignal, type Io, type Shell, type System } from './interp.js';
import type { Sink, Source } from './io.js';

/** Thrown into a running command by ^C (SIGINT). */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

const CTRL_C = '\x03';
const CTRL_D = '\x04';
const CTRL_U = '\x15';
const CTRL_W = '\x17';
const CTRL_BACKSLASH = '\x1c';
const DEL = '\x7f';
const BS = '\b';
const ESC = '\x1b';

/**
 * Canonical-mode line discipline (ICANON, ECHO, ECHOE, ECHOCTL, ICRNL, ONLCR, ISIG). Keystrokes go in through
 * `input`; programs read finished lines through `read` (the terminal as their stdin) and write through `write`.
 */
export class Terminal implements Source {
  /** Finished lines (with their newline) and end-of-file marks (null) not read yet. */
  private readonly queue: Array<string | null> = [];
  private line = '';
  private waiter: { resolve: (v: string | null) => void; reject: (e: unknown) => void } | undefined;
  private escape = '';
  private hungUp = false;
  private readonly interruptListeners = new Set<() => void>();
  columns = 80;
  rows = 24;

  /** `out` receives what the terminal shows, already with \r\n line ends. */
  constructor(private readonly out: Sink) {}

  /** Program output: \n becomes \r\n (ONLCR). */
  readonly write: Sink = (text) => {
    if (text) this.out(text.replace(/\r?\n/g, '\r\n'));
  };

  resize(columns: number, rows: number): void {
    if (columns > 0) this.columns = columns;
    if (rows > 0) this.rows = rows;
  }

  /** ^C: listeners run (the foreground job is interrupted). Returns an unsubscribe function. */
  onInterrupt(fn: () => void): () => void {
    this.interruptListeners.add(fn);
    return () => this.interruptListeners.delete(fn);
  }

  /** The other side went away: readers get end of file from now on. */
  hangup(): void {
    this.hungUp = true;
    this.deliver(null);
  }

  /** Keystrokes from the user's terminal (raw mode: one or a few bytes at a time, or a pasted block). */
  input(data: string): void {
    for (const ch of data) this.key(ch);
  }

  private key(ch: string): void {
    if (this.escape) {
      // Swallow escape sequences (arrow keys and the like: ESC [ ... final byte, or ESC O x).
      this.escape += ch;
      if (this.escape.length === 2 && ch !== '[' && ch !== 'O') this.escape = '';
      else if (this.escape.length > 2 && /[@-~]/.test(ch)) this.escape = '';
      return;
    }
    switch (ch) {
      case ESC:
        this.escape = ch;
        return;
      case '\r':
      case '\n': {
        const l = `${this.line}\n`;
        this.line = '';
        this.out('\r\n');
        this.deliver(l);
        return;
      }
      case DEL:
      case BS:
        if (this.line) {
          const chars = [...this.line];
          const last = chars.pop() as string;
          this.line = chars.join('');
          this.out(last < ' ' ? '\b\b  \b\b' : '\b \b');
        }
        return;
      case CTRL_U:
        this.out('\b \b'.repeat([...this.line].length));
        this.line = '';
        return;
      case CTRL_W: {
        const m = /(\S+\s*)$/.exec(this.line);
        const word = m ? (m[1] as string) : this.line;
        this.out('\b \b'.repeat([...word].length));
        this.line = this.line.slice(0, this.line.length - word.length);
        return;
      }
      case CTRL_C:
      case CTRL_BACKSLASH:
        this.out(ch === CTRL_C ? '^C' : '^\\');
        this.line = '';
        this.queue.length = 0;
        for (const fn of [...this.interruptListeners]) fn();
        return;
      case CTRL_D:
        if (this.line === '') this.deliver(null);
        else {
          const l = this.line;
          this.line = '';
          this.deliver(l);
        }
        return;
      default:
        if (ch === '\t' || ch >= ' ') {
          this.line += ch;
          this.out(ch);
        }
      // Other control characters (^Z, ^L, ...) do nothing here.
    }
  }

  private deliver(v: string | null): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve(v);
    } else this.queue.push(v);
  }

  /** The next finished line (with its newline), or null for end of file (^D on an empty line, hangup). */
  read(): Promise<string | null> {
    if (this.queue.length) return Promise.resolve(this.queue.shift() as string | null);
    if (this.hungUp) return Promise.resolve(null);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Fails a pending read (the reader was interrupted). */
  abortRead(err: unknown): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }
}

export type ShellFlavour = 'ash' | 'dash' | 'bash';

/** Which shell an image's `sh`/`bash` is: busybox ash on busybox and alpine images, else Debian's dash or bash. */
export function shellFlavour(image: string | undefined, program: string): ShellFlavour {
  if (/busybox|alpine/.test(image ?? '')) return 'ash';
  return /(^|\/)bash$/.test(program) ? 'bash' : 'dash';
}

/** `sh`, `/bin/bash`, `ash -i`, `bash -l`: a shell with no script, which on a terminal is interactive. */
export function isInteractiveShell(argv: string[]): boolean {
  const [cmd, ...rest] = argv;
  if (!cmd || !/^(\/usr)?(\/bin\/)?(sh|ash|bash|dash)$/.test(cmd)) return false;
  return rest.every((a) => /^-[ilsx]+$/.test(a) || a === '--login');
}

function prompt(flavour: ShellFlavour, shell: Shell): string {
  const user = shell.vars.get('USER') ?? 'root';
  const root = user === 'root';
  const home = shell.vars.get('HOME') ?? '/root';
  const cwd = shell.cwd === home ? '~' : shell.cwd.startsWith(`${home}/`) ? `~${shell.cwd.slice(home.length)}` : shell.cwd;
  const mark = root ? '#' : '$';
  if (flavour === 'ash') return `${cwd} ${mark} `;
  if (flavour === 'dash') return `${mark} `;
  return `${user}@${shell.sys.hostname.split('.')[0]}:${cwd}${mark} `;
}

function incomplete(text: string): boolean {
  if (/(\|\||&&|\||\\)\s*$/.test(text.replace(/\n$/, ''))) return true;
  try {
    parse(text);
    return false;
  } catch (err) {
    return /EOF|near unexpected token `(fi|done|esac|\}|\))'/.test((err as Error).message);
  }
}

/**
 * Makes a system whose sleeps and loops stop at ^C: `sys` with an interruptible sleep and a checkpoint the
 * interpreter calls between statements and loop rounds. `arm()` starts a foreground job, `disarm()` ends it.
 */
export function interruptible(sys: System, term: Terminal): { sys: System; arm(): void; disarm(): void } {
  let armed = false;
  let interrupted = false;
  const sleepers = new Set<(e: unknown) => void>();
  term.onInterrupt(() => {
    if (!armed) return;
    interrupted = true;
    for (const r of [...sleepers]) r(new Interrupted());
    sleepers.clear();
    term.abortRead(new Interrupted());
  });
  const wrapped: System = {
    ...sys,
    sleep: (ms) =>
      new Promise<void>((resolve, reject) => {
        if (interrupted) return reject(new Interrupted());
        sleepers.add(reject);
        void sys.sleep(ms).then(() => {
          sleepers.delete(reject);
          resolve();
        });
      }),
    checkpoint: () => {
      if (interrupted) throw new Interrupted();
      sys.checkpoint?.();
    },
  };
  return {
    sys: wrapped,
    arm: () => {
      armed = true;
      interrupted = false;
    },
    disarm: () => {
      armed = false;
      interrupted = false;
    },
  };
}

export interface TerminalSession {
  /** A new shell of the container (its env and working dir) on the given system. */
  newShell(sys: System): Shell;
  /** The container's system (filesystem, hostname, clock, programs). */
  sys: System;
  image?: string;
}

/**
 * Runs argv on the terminal as a foreground job: an interactive shell when argv is a shell without a script,
 * else the command with the terminal as its stdin, stdout and stderr. Resolves with the exit code (130 after ^C).
 */
export async function runOnTerminal(session: TerminalSession, argv: string[], term: Terminal): Promise<number> {
  const job = interruptible(session.sys, term);
  const shell = session.newShell(job.sys);
  if (isInteractiveShell(argv)) return interactiveShell(shell, term, shellFlavour(session.image, argv[0] as string), job);
  const io: Io = { stdin: term, stdout: term.write, stderr: term.write };
  job.arm();
  try {
    return await shell.exec(argv, io);
  } catch (err) {
    if (err instanceof Interrupted) {
      term.write('\n');
      return 130;
    }
    if (err instanceof ExitSignal) return err.code;
    throw err;
  } finally {
    job.disarm();
  }
}

/** The read-eval loop of an interactive shell on a terminal; `shell` runs on `job.sys` (see runOnTerminal).
 * Resolves with the shell's exit status. */
export async function interactiveShell(shell: Shell, term: Terminal, flavour: ShellFlavour, job: ReturnType<typeof interruptible>): Promise<number> {
  const argv0 = flavour === 'bash' ? 'bash' : 'sh';
  shell.argv0 = argv0;
  // ^C at the prompt abandons the line: the next prompt goes on a fresh line.
  let atPrompt = false;
  let pending = '';
  term.onInterrupt(() => {
    if (!atPrompt) return;
    pending = '';
    term.abortRead(new Interrupted());
  });
  const io: Io = { stdin: term, stdout: term.write, stderr: term.write };
  for (;;) {
    if (flavour === 'bash') {
      // checkwinsize: bash keeps COLUMNS and LINES in step with the terminal (resize messages from kubectl).
      shell.vars.set('COLUMNS', String(term.columns));
      shell.vars.set('LINES', String(term.rows));
    }
    term.write(pending ? '> ' : prompt(flavour, shell));
    atPrompt = true;
    let line: string | null;
    try {
      line = await term.read();
    } catch (err) {
      if (!(err instanceof Interrupted)) throw err;
      atPrompt = false;
      shell.status = 130;
      term.write('\n');
      continue;
    }
    atPrompt = false;
    if (line === null) {
      // ^D on an empty line: bash says `exit`, ash and dash just end the line.
      term.write(flavour === 'bash' ? 'exit\n' : '\n');
      return shell.status;
    }
    const text = pending + line;
    if (text.trim() === '') {
      pending = '';
      continue;
    }
    if (incomplete(text)) {
      pending = text.endsWith('\n') ? text : `${text}\n`;
      continue;
    }
    pending = '';
    let ast: ReturnType<typeof parse>;
    try {
      ast = parse(text);
    } catch (err) {
      term.write(`${argv0}: syntax error: ${(err as Error).message.replace(/^Parse error[^:]*:\s*/i, '')}\n`);
      shell.status = 2;
      continue;
    }
    job.arm();
    try {
      await shell.statements(ast.statements, io);
    } catch (err) {
      if (err instanceof ExitSignal) return err.code;
      if (err instanceof Interrupted) {
        shell.status = 130;
        term.write('\n');
      } else if (err instanceof Error && err.constructor.name === 'ShellError') {
        term.write(`${argv0}: ${err.message}\n`);
        shell.status = 2;
      } else if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'number' && err.constructor.name === 'ReturnSignal') {
        shell.status = (err as { code: number }).code;
      } else if (err && typeof err === 'object' && err.constructor.name === 'LoopSignal') {
        // break/continue outside a loop: ignored, as ash does.
      } else throw err;
    } finally {
      job.disarm();
    }
  }
}

/** One output chunk of a container's main process as an attached client sees it. */
export type ConsoleListener = (stream: 'stdout' | 'stderr', text: string) => void;

/**
 * The main process's stdin and stdout/stderr as `kubectl attach` reaches them. Without `stdin: true` the process
 * reads nothing; with it, a pipe (or, with `tty: true`, a terminal) that attached clients type into. Output goes
 * to the log as before and to every attached client as it is written (prompts have no newline).
 */
export class ContainerConsole {
  private readonly listeners = new Set<ConsoleListener>();
  readonly terminal?: Terminal;
  private readonly pipe?: { write: Sink; close(): void } & Source;
  private stdinClosed = false;

  constructor(
    readonly opts: { stdin: boolean; tty: boolean; stdinOnce: boolean },
    private readonly out: { stdout: Sink; stderr: Sink },
    makePipe: () => { write: Sink; close(): void } & Source,
  ) {
    if (opts.stdin && opts.tty) this.terminal = new Terminal((s) => this.emit('stdout', s));
    else if (opts.stdin) this.pipe = makePipe();
  }

  private emit(stream: 'stdout' | 'stderr', text: string): void {
    if (!text) return;
    this.out[stream](text);
    for (const l of [...this.listeners]) l(stream, text);
  }

  /** The main process's io. */
  io(): Io {
    if (this.terminal) return { stdin: this.terminal, stdout: this.terminal.write, stderr: this.terminal.write };
    return { stdin: this.pipe ?? { read: async () => null }, stdout: (s) => this.emit('stdout', s), stderr: (s) => this.emit('stderr', s) };
  }

  /** Runs the main process: an interactive shell when it is a shell on a terminal, else `exec`. */
  run(argv: string[], session: TerminalSession, exec: (argv: string[], io: Io) => Promise<number>): Promise<number> {
    if (this.terminal) return runOnTerminal(session, argv, this.terminal);
    return exec(argv, this.io());
  }

  get hasStdin(): boolean {
    return this.opts.stdin && !this.stdinClosed;
  }

  /** An attached client: its output listener; returns the detach function. */
  attach(listener: ConsoleListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.opts.stdinOnce) this.closeStdin();
    };
  }

  input(text: string): void {
    if (this.stdinClosed) return;
    if (this.terminal) this.terminal.input(text);
    else this.pipe?.write(text);
  }

  resize(columns: number, rows: number): void {
    this.terminal?.resize(columns, rows);
  }

  closeStdin(): void {
    if (this.stdinClosed) return;
    this.stdinClosed = true;
    if (this.terminal) this.terminal.hangup();
    else this.pipe?.close();
  }
}
