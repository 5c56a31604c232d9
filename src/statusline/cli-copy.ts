import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Copies the bundled CLI (dist/cli.js, the sql.js WASM, migrations/) to a folder that keeps its
 * path across extension updates (the extension's own folder is renamed on every version), so
 * that the command written into Claude Code's settings keeps working. Copies only when the
 * bundle changed. Returns the copied cli.js.
 */
export function copyCli(extensionDir: string, targetDir: string): string {
  const source = path.join(extensionDir, 'dist', 'cli.js');
  const stamp = `${fs.statSync(source).size}:${Math.trunc(fs.statSync(source).mtimeMs)}`;
  const stampFile = path.join(targetDir, 'bundle.stamp');
  const target = path.join(targetDir, 'cli.js');
  if (fs.existsSync(target) && readOr(stampFile) === stamp) return target;
  fs.mkdirSync(targetDir, { recursive: true });
  fs.copyFileSync(path.join(extensionDir, 'dist', 'sql-wasm.wasm'), path.join(targetDir, 'sql-wasm.wasm'));
  fs.copyFileSync(path.join(extensionDir, 'dist', 'parse-worker.js'), path.join(targetDir, 'parse-worker.js'));
  fs.cpSync(path.join(extensionDir, 'migrations'), path.join(targetDir, 'migrations'), { recursive: true }); // with segment/
  const temp = `${target}.tmp-${process.pid}`;
  fs.copyFileSync(source, temp);
  fs.renameSync(temp, target); // a status line running right now sees the old file or the new one
  fs.writeFileSync(stampFile, stamp);
  return target;
}

/** An absolute `node` on PATH (the status line runs outside VS Code), or undefined. */
export function findNodeOnPath(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | undefined {
  const names = platform === 'win32' ? ['node.exe'] : ['node'];
  for (const dir of (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

function readOr(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
