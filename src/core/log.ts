/** The engine's logging port; the extension maps it to a LogOutputChannel, the CLI to stderr. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Collects messages in memory; used by tests to assert on what was logged. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  debug(m: string): void { this.lines.push(`debug ${m}`); }
  info(m: string): void { this.lines.push(`info ${m}`); }
  warn(m: string): void { this.lines.push(`warn ${m}`); }
  error(m: string): void { this.lines.push(`error ${m}`); }
  has(level: string, fragment: string): boolean {
    return this.lines.some((l) => l.startsWith(level) && l.includes(fragment));
  }
}

/**
 * Warnings every pass over the agents' folders would repeat (an unreadable folder, a pipe among
 * the transcripts): said once, and again only after a whole pass that no longer met them.
 */
export class RepeatedWarnings {
  private said = new Set<string>();
  private met = new Set<string>();

  constructor(private readonly log: Logger) {}

  /** The log, with its warnings said once. */
  logger(): Logger {
    return { debug: (m) => this.log.debug(m), info: (m) => this.log.info(m), warn: (m) => this.warn(m), error: (m) => this.log.error(m) };
  }

  /** A pass over every folder ended: what it did not meet may be said again. */
  passEnded(): void {
    this.said = this.met;
    this.met = new Set();
  }

  private warn(message: string): void {
    this.met.add(message);
    if (this.said.has(message)) return;
    this.said.add(message);
    this.log.warn(message);
  }
}
