import * as path from 'node:path';

/** VS Code and its forks, by the folder name of their user data (the same on every platform). */
const EDITOR_FOLDERS = ['Code', 'Code - Insiders', 'VSCodium', 'Cursor', 'Windsurf'] as const;

/**
 * The usual `User/globalStorage` folders of the VS Code family on this platform: where
 * VS Code extensions (and the agents among them) keep their state. The running editor knows
 * its own exactly (the parent of an extension's `globalStorageUri`); this list is for the CLI.
 */
export function usualEditorStorageRoots(
  env: NodeJS.ProcessEnv,
  home: string,
  platform: NodeJS.Platform = process.platform,
): string[] {
  const userData = userDataBase(env, home, platform);
  const roots = EDITOR_FOLDERS.map((name) => path.join(userData, name, 'User', 'globalStorage'));
  if (platform !== 'win32') {
    const dataHome = env.XDG_DATA_HOME?.trim() || path.join(home, '.local', 'share');
    roots.push(path.join(dataHome, 'code-server', 'User', 'globalStorage'));
    roots.push(path.join(home, '.vscode-server', 'data', 'User', 'globalStorage'));
  }
  return roots;
}

function userDataBase(env: NodeJS.ProcessEnv, home: string, platform: NodeJS.Platform): string {
  if (platform === 'win32') return env.APPDATA?.trim() || path.join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME?.trim() || path.join(home, '.config');
}
