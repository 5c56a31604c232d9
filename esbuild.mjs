// Bundles: the extension host, the CLI, the parser thread, the webview, and the extension-host test suite.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
// The WASM is copied beside the bundle; `require.resolve` of it only runs from source.
const node = {
  ...common, platform: 'node', format: 'cjs', target: 'node20',
  external: ['vscode', 'sql.js/dist/sql-wasm.wasm'],
  logOverride: { 'require-resolve-not-external': 'silent' },
};

mkdirSync('dist', { recursive: true });
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), 'dist/sql-wasm.wasm');

await Promise.all([
  esbuild.build({ ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' }),
  esbuild.build({ ...node, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js' }),
  esbuild.build({ ...node, entryPoints: ['src/pipeline/parse-worker.ts'], outfile: 'dist/parse-worker.js' }),
  esbuild.build({ ...node, entryPoints: ['src/pipeline/engine-worker.ts'], outfile: 'dist/engine-worker.js' }),
  esbuild.build({ ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js' }),
  production ? undefined : esbuild.build({ ...node, entryPoints: ['test/suite/index.ts'], outfile: 'dist/test/suite/index.js' }),
]);
