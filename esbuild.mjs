// Bundles: the extension host, the CLI, the parser thread, the webview, and the extension-host test suite.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

/**
 * One namespace object per Node built-in module for the whole bundle. A CommonJS bundle turns
 * every `import * as fs from 'node:fs'` into its own copy of the module's properties (esbuild's
 * `__toESM`): some fifty copies cost about 15 ms at every start of the CLI and of each thread.
 * Here each `node:` import statement goes through one shared module instead (`export *`, and the
 * module itself as the default export, for `import util from 'node:util'`).
 */
const sharedBuiltins = {
  name: 'shared-builtins',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) => {
      if (args.namespace === 'shared-builtin') return { path: args.path, external: true };
      return args.kind === 'import-statement' ? { path: args.path, namespace: 'shared-builtin' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'shared-builtin' }, (args) => {
      const name = JSON.stringify(args.path);
      return { contents: `export * from ${name};\nexport default require(${name});`, loader: 'js' };
    });
  },
};

// The WASM is copied beside the bundle; `require.resolve` of it only runs from source.
const node = {
  ...common, platform: 'node', format: 'cjs', target: 'node20',
  external: ['vscode', 'sql.js/dist/sql-wasm.wasm'],
  logOverride: { 'require-resolve-not-external': 'silent' },
  plugins: [sharedBuiltins],
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
