// Runs the test suites with node's test runner: `unit` (src/**, test/ except e2e), `e2e` (test/e2e), both (no
// argument or `all`), or the test files named on the command line.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function find(dir, out = []) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === 'node_modules') continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const which = args.length === 1 && ['unit', 'e2e', 'all'].includes(args[0]) ? args[0] : args.length ? 'files' : 'all';
const all = [...find('src'), ...find('test')].sort();
const isE2e = (f) => f.startsWith(path.join('test', 'e2e'));
const files = which === 'files' ? args : all.filter((f) => (which === 'unit' ? !isE2e(f) : which === 'e2e' ? isE2e(f) : true));
if (files.length === 0) {
  console.error(`no ${which} tests found`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
