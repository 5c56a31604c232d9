import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isIsoDay, isValidTimeZone } from '../core/time';
import type { AgentId } from '../core/usage';
import { fileSetsOf } from '../normalizers/agent-normalizer';
import { AGENT_IDS, NORMALIZERS, quotaOrigins, statusLineAgent } from '../normalizers/registry';

export const COMMANDS = ['ingest', 'daily', 'monthly', 'session', 'projects', 'rebuild-marts', 'prices', 'blocks', 'limits', 'statusline'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliOptions {
  command: Command;
  db: string;
  /** `--<agent>-dir` roots per agent (replacing that agent's defaults). */
  dirs: Partial<Record<AgentId, string[]>>;
  since?: string;
  until?: string;
  timeZone?: string;
  agent?: AgentId;
  json: boolean;
  ingest: boolean;
  /** blocks: only the active block / the last 3 days. */
  active: boolean;
  recent: boolean;
}

/** A user-facing error: printed as one line, exit code 1. */
export class UsageError extends Error {}

/** `--<agent>-dir DIR` for every agent in the registry, with what the folder should hold. */
function dirOptionLines(): string {
  const width = Math.max(...AGENT_IDS.map((a) => a.length)) + 10;
  return NORMALIZERS.map((n) => `  ${`--${n.agent}-dir DIR`.padEnd(width)} ${n.label}: ${n.rootHint ?? 'a root folder'} (repeatable; replaces the defaults)`).join('\n');
}

/** The quota commands' lines: where official windows come from, and whose status line `statusline` is. */
function quotaCommandLines(): string {
  const sources = quotaOrigins().map((o) => o.source);
  const statusLine = statusLineAgent();
  return [
    `  limits          every known quota window: ${sources.length ? `official (${sources.join(', ')}) or estimated` : 'estimated'}`,
    ...(statusLine ? [`  statusline      ${statusLine.label}'s status line: reads its JSON on stdin, prints one line`] : []),
  ].join('\n');
}

export const USAGE = `Usage: agent-ledger [--db PATH] <command> [options]

Commands:
  ingest          read new transcript lines into the database
  daily           cost per day (default)      monthly   cost per month
  session         cost per session            projects  cost per project
  rebuild-marts   re-price history and re-derive every rollup
  prices          the price table in force and the unpriced models seen
  blocks          5-hour blocks, ccusage's estimate of the quota windows (--active, --recent)
${quotaCommandLines()}

Options:
  --db PATH          ledger folder (default: ${defaultDbPath()}; a 0.1.0 ledger.sqlite beside it is upgraded)
${dirOptionLines()}
  --since DATE       first day, YYYY-MM-DD or YYYYMMDD      --until DATE  last day
  -z, --timezone IANA  zone for calendar days (default: the system's)
  --agent NAME       only this agent: ${AGENT_IDS.join(', ')}
  --json             machine-readable output (daily/monthly in ccusage's shape)
  --no-ingest        report from the database without reading transcripts first
  --active           blocks: only the active block, with its burn rate and projection
  --recent           blocks: the last 3 days and the active block
  -h, --help         this text                --version  the version

Where each agent's files are read (a --<agent>-dir or the environment variable replaces the defaults):
${defaultRoots()}
Ledger: $AGENT_LEDGER_DB when set, else the --db default above.`;

/** Each agent's environment variables and default roots, and the folders read under them, from its file sets (once per distinct line). */
function defaultRoots(): string {
  const lines = NORMALIZERS.flatMap((n) => fileSetsOf(n).map((set) => {
    const env = (set.roots.env ?? []).map((e) => `$${e.name}`);
    const home = (set.roots.home ?? []).map((r) => `~/${r}`);
    const editors = set.roots.editorStorage ? ['the editors\' globalStorage'] : [];
    const folders = set.dirs.map((d) => (d ? `${d}/` : 'the root')).join(', ');
    return `  ${n.label.padEnd(12)} ${[...env, ...home, ...editors].join(', ')}; reads ${folders}`;
  }));
  return [...new Set(lines)].join('\n');
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
  return path.join(base, 'agent-ledger', 'ledger');
}

function day(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const normalized = /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}` : value;
  if (!isIsoDay(normalized)) throw new UsageError(`${flag} expects a date as YYYY-MM-DD or YYYYMMDD, got "${value}"`);
  return normalized;
}

/**
 * The options each command reads besides the ones every command takes (--db, the agents'
 * folders, --timezone, so that one alias serves every command): any other is refused, not ignored.
 */
const REPORT_OPTIONS = ['since', 'until', 'agent', 'json', 'no-ingest'];
const APPLIES: Record<Command, readonly string[]> = {
  ingest: ['agent'],
  daily: REPORT_OPTIONS,
  monthly: REPORT_OPTIONS,
  session: REPORT_OPTIONS,
  projects: REPORT_OPTIONS,
  blocks: ['agent', 'json', 'no-ingest', 'active', 'recent'],
  limits: ['json', 'no-ingest'],
  'rebuild-marts': [],
  prices: ['json'],
  statusline: [],
};
const EVERY_COMMAND = ['db', 'timezone', 'help', 'version'];

function checkApplies(command: Command, values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || EVERY_COMMAND.includes(name) || name.endsWith('-dir')) continue;
    if (!APPLIES[command].includes(name)) throw new UsageError(`--${name} does not apply to ${command}; see --help`);
  }
}

const DIR_OPTIONS = Object.fromEntries(AGENT_IDS.map((agent) => [`${agent}-dir`, { type: 'string' as const, multiple: true as const }]));

/** parseArgs's errors in a line of our own (its text suggests `--` tricks that do not apply here). */
function argumentError(error: NodeJS.ErrnoException): UsageError {
  // The option as parseArgs names it: '--json', or '-z, --timezone <value>' (short and long forms).
  const named = /'(-[^']*)'/.exec(error.message)?.[1]?.replace(/ <value>$/, '');
  const option = named?.includes(', ') ? named.split(', ').reverse().join(' (') + ')' : named;
  if (option && error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${option}; see --help`);
  if (option && error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return new UsageError(/does not take/.test(error.message) ? `option ${option} takes no value; see --help` : `option ${option} needs a value; see --help`);
  }
  return new UsageError(`${error.message}; see --help`);
}

const OPTIONS = {
  db: { type: 'string' },
  ...DIR_OPTIONS,
  since: { type: 'string' },
  until: { type: 'string' },
  timezone: { type: 'string', short: 'z' },
  agent: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'no-ingest': { type: 'boolean' },
  active: { type: 'boolean' },
  recent: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/**
 * The command word, read leniently (an unknown or malformed option does not hide it): the status
 * line must be told apart before the strict parse, whose errors it never shows as failures. A
 * value that happens to be `statusline` (`--claude-dir statusline`) is a value, not the command.
 */
export function commandWord(argv: string[]): string | undefined {
  return parseArgs({ args: argv, allowPositionals: true, strict: false, options: OPTIONS }).positionals[0];
}

export function parseCli(argv: string[]): CliOptions | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw argumentError(error as NodeJS.ErrnoException);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return 'help';
  if (values.db === '') throw new UsageError('--db needs a path; see --help');
  if (values.version) return 'version';
  const command = (positionals[0] ?? 'daily') as Command;
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${positionals[0]}" (try --help)`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"; see --help`);
  checkApplies(command, values);
  if ((values.agent?.length ?? 0) > 1) throw new UsageError('--agent is given more than once; name one agent');
  const agent = values.agent?.[0];
  if (values.timezone !== undefined && !isValidTimeZone(values.timezone)) {
    throw new UsageError(`--timezone expects an IANA zone such as Europe/Paris, got "${values.timezone}"`);
  }
  if (agent !== undefined && !AGENT_IDS.includes(agent as AgentId)) {
    throw new UsageError(`--agent expects one of ${AGENT_IDS.join(', ')}, got "${agent}"`);
  }
  const since = day(values.since, '--since');
  const until = day(values.until, '--until');
  if (since && until && since > until) throw new UsageError(`--since ${since} is after --until ${until}`);
  return {
    command,
    db: path.resolve(values.db ?? defaultDbPath()),
    dirs: Object.fromEntries(
      AGENT_IDS.flatMap((agent) => {
        const given = (values as Record<string, unknown>)[`${agent}-dir`] as string[] | undefined;
        return given?.length ? [[agent, given]] : [];
      }),
    ),
    since,
    until,
    timeZone: values.timezone,
    agent: agent as AgentId | undefined,
    json: values.json ?? false,
    ingest: !values['no-ingest'],
    active: values.active ?? false,
    recent: values.recent ?? false,
  };
}
