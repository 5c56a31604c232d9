import * as fs from 'node:fs';
import * as os from 'node:os';
import { nodeCrypto } from '../core/lazy-builtins';
import { tempSibling } from './atomic-file';

interface LockContent {
  token: string;
  pid: number;
  host: string;
  heartbeat: number;
  /** Who holds it, for messages: "VS Code window", "agent-ledger ingest". */
  holder: string;
}

/** Production timings: a lock not renewed for 15 s is stale; the holder renews it every 5 s. */
export const LOCK_STALE_MS = 15_000;
export const LOCK_RENEW_MS = 5_000;

/**
 * One writer per ledger: a lock file holding the owner's token and a heartbeat, renewed on a
 * timer of its own (independent of ingest, so a long read never looks like a crash). A lock
 * whose heartbeat is older than the stale time, or whose process is gone, is taken over.
 */
export class WriterLock {
  readonly token = nodeCrypto().randomUUID();
  /** Called when a renewal finds the lock no longer names this instance (another process took it over). */
  onLost: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly holder: string,
    private readonly staleMs = LOCK_STALE_MS,
    private readonly renewMs = Math.min(LOCK_RENEW_MS, Math.floor(staleMs / 3)),
  ) {}

  /** Takes the lock if it is free or stale; true when this instance holds it afterwards. Renewal starts then. */
  tryAcquire(now = Date.now()): boolean {
    if (this.held()) return this.heartbeat(now);
    const current = this.read();
    if (current && !this.isStale(current, now)) return false;
    if (current) this.takeOver(current.token);
    else if (this.unreadableSince(now) > this.staleMs) this.takeOver(undefined);
    if (!this.create(now) || !this.held()) return false;
    this.startRenewing();
    return true;
  }

  /** Who holds the lock now, when someone live does. */
  owner(now = Date.now()): string | undefined {
    const current = this.read();
    return current && !this.isStale(current, now) && current.token !== this.token ? current.holder ?? 'another process' : undefined;
  }

  /** Whether the file still names this instance (another process may have taken over). */
  held(): boolean {
    return this.read()?.token === this.token;
  }

  /** Renews the heartbeat; false when the lock is no longer ours. */
  heartbeat(now = Date.now()): boolean {
    if (!this.held()) return false;
    const temp = tempSibling(this.file, this.token);
    fs.writeFileSync(temp, JSON.stringify(this.content(now)));
    fs.renameSync(temp, this.file);
    return true;
  }

  release(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.held()) fs.rmSync(this.file, { force: true });
  }

  /**
   * Creates the lock whole or not at all: written beside it, then linked into place (a link fails
   * if the lock exists, like an exclusive create). A lock written in place could be left partly
   * written by a full disk or a kill, and no one could take over a lock no one can read. False
   * when another process created it first (or it cannot be written).
   */
  private create(now: number): boolean {
    const temp = tempSibling(this.file, this.token);
    try {
      fs.writeFileSync(temp, JSON.stringify(this.content(now)));
    } catch {
      fs.rmSync(temp, { force: true });
      return false; // a full disk: no lock, not even part of one
    }
    try {
      fs.linkSync(temp, this.file);
      return true;
    } catch (error) {
      // No hard links on this file system (FAT reports EPERM, EISDIR, ENOTSUP…): its exclusive create.
      return (error as NodeJS.ErrnoException).code === 'EEXIST' ? false : this.createInPlace(now);
    } finally {
      fs.rmSync(temp, { force: true });
    }
  }

  private createInPlace(now: number): boolean {
    try {
      fs.writeFileSync(this.file, JSON.stringify(this.content(now)), { flag: 'wx' });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * How long a lock that exists but cannot be read (left partly written by an older version) has
   * been unchanged; 0 when there is none. Once that passes the stale time it is taken over.
   */
  private unreadableSince(now: number): number {
    try {
      return now - fs.statSync(this.file).mtimeMs;
    } catch {
      return 0;
    }
  }

  private startRenewing(): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      let ours: boolean;
      try {
        ours = this.heartbeat();
      } catch {
        return; // a failed renewal (full disk) is retried on the next tick; staleness takes 3 misses
      }
      if (ours) return;
      clearInterval(this.timer);
      this.timer = undefined;
      this.onLost?.();
    }, this.renewMs);
    this.timer.unref();
  }

  private content(now: number): LockContent {
    return { token: this.token, pid: process.pid, host: os.hostname(), heartbeat: now, holder: this.holder };
  }

  private read(): LockContent | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file, 'utf8')) as LockContent;
    } catch {
      return undefined;
    }
  }

  private isStale(lock: LockContent, now: number): boolean {
    if (now - lock.heartbeat > this.staleMs) return true;
    return lock.host === os.hostname() && !processAlive(lock.pid);
  }

  /**
   * Moves the stale lock aside (a rename is atomic: of two processes racing, one moves it). If
   * what was moved is not the stale lock (its token, or undefined for an unreadable one) but a
   * fresh one another process just wrote, it is put back, so that the creation below fails and
   * that process keeps the lock.
   */
  private takeOver(staleToken: string | undefined): void {
    const aside = tempSibling(this.file, `stale-${this.token}`);
    try {
      fs.renameSync(this.file, aside);
    } catch {
      return; // someone else moved it first
    }
    try {
      const moved = JSON.parse(fs.readFileSync(aside, 'utf8')) as LockContent;
      if (moved.token !== staleToken) fs.linkSync(aside, this.file);
    } catch {
      // unreadable or already restored: the exclusive create below decides
    }
    fs.rmSync(aside, { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
