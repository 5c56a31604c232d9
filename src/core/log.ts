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
