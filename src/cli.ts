#!/usr/bin/env node
import packageJson from '../package.json';
import type { Logger } from './core/log';
import { commandWord, defaultDbPath, parseCli, USAGE, UsageError } from './cli/options';
import { runCli } from './cli/run-cli';
import { terminalSafe } from './cli/terminal-text';
import { NotALedgerError, resolveLedgerLocation } from './store/ledger-layout';

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
    if (options === 'help' || options === 'version') {
      await write(process.stdout, `${options === 'help' ? USAGE : packageJson.version}\n`);
      return 0;
    }
    await write(process.stdout, `${await runCli(options, stderrLogger)}\n`);
    return 0;
  } catch (error) {
    const message = error instanceof UsageError ? error.message : `unexpected failure: ${(error as Error).stack ?? error}`;
    await write(process.stderr, `agent-ledger: ${terminalSafe(message)}\n`);
    return 1;
  }
}

/**
 * Claude Code's status line: whatever happens, print what we can and exit 0. A --db that is not
 * a ledger is left untouched (the status line would otherwise record its reading there).
 */
async function statusLine(): Promise<number> {
  const note = (m: string) => process.stderr.write(`agent-ledger statusline: ${terminalSafe(m)}\n`);
  let line = 'Agent Ledger';
  try {
    let db = defaultDbPath();
    try {
      const options = parseCli(process.argv.slice(2));
      if (options === 'help' || options === 'version') return await main();
      db = options.db;
    } catch (error) {
      note((error as Error).message);
    }
    const { runStatusLine } = await import('./cli/statusline');
    const { dir } = resolveLedgerLocation(db);
    line = await runStatusLine(await readStdin(), dir, Date.now(), note);
  } catch (error) {
    note(error instanceof NotALedgerError ? error.message : `unexpected failure: ${(error as Error).message}`);
  }
  await write(process.stdout, `${line}\n`);
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

/** Resolves once the text is handed to the operating system (or the stream failed). */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

// A reader that goes away (`| head`) is a normal end: nothing more can be shown, so stop quietly.
// Any other failure to write the output (a full disk) is said on stderr, once.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  process.stderr.write(`agent-ledger: cannot write the output: ${error.message}\n`, () => process.exit(1));
});
process.stderr.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1));

// Exit explicitly once everything is written, rather than when the event loop drains: at that
// natural exit Node waits for V8's background compile tasks, and one that waits for the main
// thread to collect garbage never finishes (nodejs/node#54918), so the CLI could hang forever
// after printing. Parser threads and the database are closed by then (run-cli, ingest).
void (commandWord(process.argv.slice(2)) === 'statusline' ? statusLine() : main()).then(async (code) => {
  await write(process.stderr, ''); // after warnings queued earlier (pipes are asynchronous on Windows)
  process.exit(code);
});
