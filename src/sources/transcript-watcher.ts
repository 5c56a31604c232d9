import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../core/log';

/**
 * Watches transcript folders recursively and reports every changed path (ingest keeps those that
 * belong to a file set: a `*.jsonl`, a task's `ui_messages.json`, a database or its `-wal`).
 * Folders that do not exist yet are skipped; call `sync` again (the periodic rescan does) to pick them up.
 */
export class TranscriptWatcher {
  private readonly watchers = new Map<string, fs.FSWatcher>();

  constructor(
    private readonly onChange: (file: string) => void,
    private readonly log: Logger,
  ) {}

  /** Watches exactly these folders (those that exist), dropping the others. */
  sync(folders: readonly string[]): void {
    const wanted = new Set(folders.filter((f) => isDirectory(f)));
    for (const [folder, watcher] of this.watchers) {
      if (!wanted.has(folder)) {
        watcher.close();
        this.watchers.delete(folder);
      }
    }
    for (const folder of wanted) if (!this.watchers.has(folder)) this.watch(folder);
  }

  get watching(): string[] {
    return [...this.watchers.keys()];
  }

  dispose(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private watch(folder: string): void {
    try {
      const watcher = fs.watch(folder, { recursive: true, persistent: false }, (_event, name) => {
        if (name) this.onChange(path.join(folder, String(name)));
      });
      watcher.on('error', (error) => {
        this.log.warn(`stopped watching ${folder} (${error.message}); changes there are picked up by the periodic rescan`);
        watcher.close();
        this.watchers.delete(folder);
      });
      this.watchers.set(folder, watcher);
      this.log.debug(`watching ${folder}`);
    } catch (error) {
      this.log.warn(`cannot watch ${folder} (${(error as Error).message}); changes there are picked up by the periodic rescan`);
    }
  }
}

function isDirectory(folder: string): boolean {
  try {
    return fs.statSync(folder).isDirectory();
  } catch {
    return false;
  }
}
