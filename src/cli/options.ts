import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isIsoDay, isValidTimeZone } from '../core/time';
import type { AgentId } from '../core/usage';
import { AGENT_IDS, NORMALIZERS } from '../normalizers/registry';

export const COMMANDS = ['ingest', 'daily', 'monthly', 'session', 'projects', 'rebuild-marts', 'prices'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliOptions {
  command: Command;
  db: string;
  claudeDirs: string[];
  codexDirs: string[];
  since?: string;
  until?: string;
  timeZone?: string;
  agent?: AgentId;
  json: boolean;
  ingest: boolean;
}

/** A user-facing error: printed as one line, exit code 1. */
export class UsageError extends Error {}

export const USAGE = `Usage: agent-ledger [--db FILE] <command> [options]

Commands:
  ingest          read new transcript lines into the database
  daily           cost per day (default)      monthly   cost per month
  session         cost per session            projects  cost per project
  rebuild-marts   re-price history and re-derive every rollup
  prices          the price table in force and the unpriced models seen

Options:
  --db FILE          database file (default: ${defaultDbPath()})
  --claude-dir DIR   a Claude root holding projects/ (repeatable; replaces the defaults)
  --codex-dir DIR    a Codex home holding sessions/ (repeatable; replaces the defaults)
  --since DATE       first day, YYYY-MM-DD or YYYYMMDD      --until DATE  last day
  -z, --timezone IANA  zone for calendar days (default: the system's)
  --agent NAME       claude or codex
  --json             machine-readable output (daily/monthly in ccusage's shape)
  --no-ingest        report from the database without reading transcripts first
  -h, --help         this text                --version  the version

Transcripts (a --<agent>-dir or the environment variable replaces the default roots):
${transcriptRoots()}
Database: $AGENT_LEDGER_DB when set, else the --db default above.`;

/** Each agent's roots and the folders read under them, from the normalizers' layouts. */
function transcriptRoots(): string {
  return NORMALIZERS.map((n) => {
    const roots = n.layout.defaultRoots.map((r) => `~/${r}`).join(', ');
    const folders = n.layout.transcriptDirs.map((d) => `${d}/`).join(', ');
    return `  ${n.label.padEnd(12)} $${n.layout.envVar}, else ${roots}; reads ${folders}`;
  }).join('\n');
}

/** Where the CLI keeps its database: the platform's user data folder. */
export function defaultDbPath(env = process.env): string {
  if (env.AGENT_LEDGER_DB) return env.AGENT_LEDGER_DB;
  const home = os.homedir();
  const base =
    process.platform === 'win32'
      ? env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local')
      : process.platform === 'darwin'
        ? path.join(home, 'Library', 'Application Support')
        : env.XDG_DATA_HOME ?? path.join(home, '.local', 'share');
  return path.join(base, 'agent-ledger', 'ledger.sqlite');
}

function day(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const normalized = /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}` : value;
  if (!isIsoDay(normalized)) throw new UsageError(`${flag} expects a date as YYYY-MM-DD or YYYYMMDD, got "${value}"`);
  return normalized;
}

/** parseArgs's errors in a line of our own (its text suggests `--` tricks that do not apply here). */
function argumentError(error: NodeJS.ErrnoException): UsageError {
  const option = /'(-[^' ]+)/.exec(error.message)?.[1];
  if (option && error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${option}; see --help`);
  if (option && error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new UsageError(`option ${option} needs a value; see --help`);
  return new UsageError(`${error.message}; see --help`);
}

export function parseCli(argv: string[]): CliOptions | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        db: { type: 'string' },
        'claude-dir': { type: 'string', multiple: true },
        'codex-dir': { type: 'string', multiple: true },
        since: { type: 'string' },
        until: { type: 'string' },
        timezone: { type: 'string', short: 'z' },
        agent: { type: 'string' },
        json: { type: 'boolean' },
        'no-ingest': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw argumentError(error as NodeJS.ErrnoException);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (values.version) return 'version';
  const command = (positionals[0] ?? 'daily') as Command;
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${positionals[0]}" (try --help)`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  if (values.timezone !== undefined && !isValidTimeZone(values.timezone)) {
    throw new UsageError(`--timezone expects an IANA zone such as Europe/Paris, got "${values.timezone}"`);
  }
  if (values.agent !== undefined && !AGENT_IDS.includes(values.agent as AgentId)) {
    throw new UsageError(`--agent expects one of ${AGENT_IDS.join(', ')}, got "${values.agent}"`);
  }
  const since = day(values.since, '--since');
  const until = day(values.until, '--until');
  if (since && until && since > until) throw new UsageError(`--since ${since} is after --until ${until}`);
  return {
    command,
    db: path.resolve(values.db ?? defaultDbPath()),
    claudeDirs: values['claude-dir'] ?? [],
    codexDirs: values['codex-dir'] ?? [],
    since,
    until,
    timeZone: values.timezone,
    agent: values.agent as AgentId | undefined,
    json: values.json ?? false,
    ingest: !values['no-ingest'],
  };
}
