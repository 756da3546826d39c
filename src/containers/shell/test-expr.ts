// `test` / `[`: the POSIX expression grammar (!, -a, -o, parentheses, unary file and string tests, binary
// comparisons).
import { normalize } from '../fs.js';
import type { CommandContext } from './commands.js';

export async function testExpression(ctx: CommandContext, args: string[]): Promise<number> {
  let i = 0;
  const fs = ctx.sys.fs;
  const at = (p: string) => fs.stat(normalize(p, ctx.cwd));
  const int = (s: string): number => {
    if (!/^\s*-?\d+\s*$/.test(s)) throw new Error(`${s}: bad number`);
    return Number(s);
  };
  const primary = (): boolean => {
    const a = args[i++] ?? '';
    if (a === '!') return !primary();
    if (a === '(') {
      const v = or();
      i++;
      return v;
    }
    const next = args[i];
    const bin: Record<string, (x: string, y: string) => boolean> = {
      '=': (x, y) => x === y, '==': (x, y) => x === y, '!=': (x, y) => x !== y,
      '-eq': (x, y) => int(x) === int(y), '-ne': (x, y) => int(x) !== int(y), '-lt': (x, y) => int(x) < int(y),
      '-le': (x, y) => int(x) <= int(y), '-gt': (x, y) => int(x) > int(y), '-ge': (x, y) => int(x) >= int(y),
      '<': (x, y) => x < y, '>': (x, y) => x > y,
    };
    if (next !== undefined && bin[next] && args[i + 1] !== undefined) {
      i += 2;
      return (bin[next] as (x: string, y: string) => boolean)(a, args[i - 1] as string);
    }
    const un: Record<string, (x: string) => boolean> = {
      '-z': (x) => x === '', '-n': (x) => x !== '',
      '-e': (x) => !!at(x), '-f': (x) => at(x)?.kind === 'file', '-d': (x) => at(x)?.kind === 'dir',
      '-s': (x) => { const e = at(x); return !!e && (e.kind !== 'file' || e.data.length > 0); },
      '-r': (x) => !!at(x), '-w': (x) => !!at(x), '-x': (x) => at(x)?.kind === 'dir' || /\/s?bin\//.test(x),
      '-L': (x) => fs.lstat(normalize(x, ctx.cwd))?.kind === 'link', '-h': (x) => fs.lstat(normalize(x, ctx.cwd))?.kind === 'link', '-p': () => false, '-S': () => false, '-t': () => false,
    };
    if (un[a] && next !== undefined) {
      i++;
      return (un[a] as (x: string) => boolean)(next);
    }
    return a !== '';
  };
  const and = (): boolean => {
    let v = primary();
    while (args[i] === '-a') {
      i++;
      const r = primary();
      v = v && r;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (args[i] === '-o') {
      i++;
      const r = and();
      v = v || r;
    }
    return v;
  };
  if (args.length === 0) return 1;
  try {
    return or() ? 0 : 1;
  } catch (err) {
    ctx.stderr(`sh: ${(err as Error).message}\n`);
    return 2;
  }
}
