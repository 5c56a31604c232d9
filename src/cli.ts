#!/usr/bin/env node
import type { Logger } from './core/log';
import { defaultDbPath, parseCli, USAGE, UsageError } from './cli/options';
import { runCli } from './cli/run-cli';

/** Warnings and errors go to stderr, so stdout stays clean for --json. */
const stderrLogger: Logger = {
  debug() {},
  info() {},
  warn: (m) => process.stderr.write(`warning: ${m}\n`),
  error: (m) => process.stderr.write(`error: ${m}\n`),
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
    process.stderr.write(`agent-ledger: ${message}\n`);
    return 1;
  }
}

/** Claude Code's status line: whatever happens, print what we can and exit 0. */
async function statusLine(): Promise<number> {
  const note = (m: string) => process.stderr.write(`agent-ledger statusline: ${m}\n`);
  let line = 'Agent Ledger';
  try {
    const { runStatusLine } = await import('./cli/statusline');
    let db = defaultDbPath();
    try {
      const options = parseCli(process.argv.slice(2));
      if (options !== 'help') db = options.db;
    } catch (error) {
      note((error as Error).message);
    }
    line = await runStatusLine(await readStdin(), db, Date.now(), note);
  } catch (error) {
    note(`unexpected failure: ${(error as Error).message}`);
  }
  process.stdout.write(`${line}\n`);
  return 0;
}

function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

void (process.argv.slice(2).includes('statusline') ? statusLine() : main()).then((code) => {
  process.exitCode = code;
});
