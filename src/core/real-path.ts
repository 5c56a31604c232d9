import * as fs from 'node:fs';

/** `p` with its symbolic links resolved, or `p` itself when it does not exist (yet) or cannot be resolved. */
export function realPathOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}
