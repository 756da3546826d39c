// Bundles the CLI into dist/kubeloop.js so `kubeloop` starts without a TypeScript loader, and the dashboard
// (src/ui/app, Preact) into dist/ui/ (app.js, app.css), which the bundled server serves at /ui/.
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
// The same options as buildUi() in src/ui/server/index.ts, which builds in memory when running from source.
await build({
  entryPoints: { app: 'src/ui/app/main.tsx' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: 'dist/ui',
  logLevel: 'warning',
});
