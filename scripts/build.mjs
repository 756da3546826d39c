// Bundles the CLI into dist/kubeloop.js so `kubeloop` starts without a TypeScript loader.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../src/cli/main.ts', import.meta.url))) process.exit(0);
await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  outfile: 'dist/kubeloop.js',
  logLevel: 'warning',
});
