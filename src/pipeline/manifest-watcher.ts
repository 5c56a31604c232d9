import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_FILE } from '../store/ledger-layout';

/** How often a reader checks the manifest when file events do not arrive (network drives, some containers). */
const MANIFEST_POLL_MS = 1_000;

/**
 * Tells a reading window that the writer committed a save: a file-system watch on the
 * ledger folder for the manifest's rename, with a cheap one-file stat as a fallback.
 */
export class ManifestWatcher {
  private watcher: fs.FSWatcher | undefined;
  private readonly poller: NodeJS.Timeout;
  private lastSeen: number;

  constructor(
    private readonly dir: string,
    private readonly onSave: () => void,
  ) {
    this.lastSeen = this.stamp();
    try {
      this.watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || String(name) === MANIFEST_FILE) this.check();
      });
      this.watcher.on('error', () => this.closeWatcher());
    } catch {
      this.watcher = undefined; // the poll still notices
    }
    this.poller = setInterval(() => this.check(), MANIFEST_POLL_MS);
    this.poller.unref();
  }

  dispose(): void {
    clearInterval(this.poller);
    this.closeWatcher();
  }

  private check(): void {
    const now = this.stamp();
    if (now === this.lastSeen) return;
    this.lastSeen = now;
    this.onSave();
  }

  private stamp(): number {
    try {
      const stat = fs.statSync(path.join(this.dir, MANIFEST_FILE));
      return stat.mtimeMs * 1e3 + (stat.ino % 1000);
    } catch {
      return 0;
    }
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
