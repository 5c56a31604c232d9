import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';

interface LockContent {
  token: string;
  pid: number;
  host: string;
  heartbeat: number;
}

/**
 * One writer per database: a lock file holding the owner's token and a heartbeat.
 * A lock whose heartbeat is older than `staleMs`, or whose process is gone, is taken over,
 * so a crashed window never holds it for long.
 */
export class WriterLock {
  readonly token = randomUUID();

  constructor(
    private readonly file: string,
    private readonly staleMs = 15_000,
  ) {}

  /** Takes the lock if it is free or stale; true when this instance holds it afterwards. */
  tryAcquire(now = Date.now()): boolean {
    if (this.held()) return this.heartbeat(now);
    const current = this.read();
    if (current && !this.isStale(current, now)) return false;
    if (current) this.moveAside();
    try {
      fs.writeFileSync(this.file, JSON.stringify(this.content(now)), { flag: 'wx' });
    } catch {
      return false; // another window created it first
    }
    return this.held();
  }

  /** Whether the file still names this instance (another window may have taken over). */
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
    if (this.held()) fs.rmSync(this.file, { force: true });
  }

  private content(now: number): LockContent {
    return { token: this.token, pid: process.pid, host: os.hostname(), heartbeat: now };
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

  /** Renaming is atomic: of two windows racing to take over a stale lock, one moves it. */
  private moveAside(): void {
    try {
      fs.renameSync(this.file, `${this.file}.stale-${this.token}`);
      fs.rmSync(`${this.file}.stale-${this.token}`, { force: true });
    } catch {
      // someone else moved it first
    }
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
