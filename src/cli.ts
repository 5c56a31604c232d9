#!/usr/bin/env node
import type { Logger } from './core/log';
import { parseCli, USAGE, UsageError } from './cli/options';
import { runCli } from './cli/run-cli';
import { terminalSafe } from './cli/terminal-text';

/** Warnings and errors go to stderr, so stdout stays clean for --json; paths in them are made terminal-safe. */
const stderrLogger: Logger = {
  debug() {},
  info() {},
  warn: (m) => process.stderr.write(`warning: ${terminalSafe(m)}\n`),
  error: (m) => process.stderr.write(`error: ${terminalSafe(m)}\n`),
};

async function main(): Promise<number> {
  try {
    const options = parseCli(process.argv.slice(2));
    if (options === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    process.stdout.write(`${await runCli(options, stderrLogger)}\n`);
    return 0;
  } catch (error) {
    const message = error instanceof UsageError ? error.message : `unexpected failure: ${(error as Error).stack ?? error}`;
    process.stderr.write(`agent-ledger: ${terminalSafe(message)}\n`);
    return 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
