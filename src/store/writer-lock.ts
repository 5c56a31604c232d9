import * as fs from 'node:fs';
import * as os from 'node:os';
import { nodeCrypto } from '../core/lazy-builtins';

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
    if (current) this.takeOver(current);
    try {
      fs.writeFileSync(this.file, JSON.stringify(this.content(now)), { flag: 'wx' });
    } catch {
      return false; // another process created it first
    }
    if (!this.held()) return false;
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
    const temp = `${this.file}.${this.token}`;
    fs.writeFileSync(temp, JSON.stringify(this.content(now)));
    fs.renameSync(temp, this.file);
    return true;
  }

  release(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.held()) fs.rmSync(this.file, { force: true });
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
   * what was moved is not the stale lock but a fresh one another process just wrote, it is put
   * back, so that the creation below fails and that process keeps the lock.
   */
  private takeOver(stale: LockContent): void {
    const aside = `${this.file}.stale-${this.token}`;
    try {
      fs.renameSync(this.file, aside);
    } catch {
      return; // someone else moved it first
    }
    try {
      const moved = JSON.parse(fs.readFileSync(aside, 'utf8')) as LockContent;
      if (moved.token !== stale.token) fs.linkSync(aside, this.file);
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
