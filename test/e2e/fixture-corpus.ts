/**
 * The corpus the real-VS-Code tests read: a Claude root and a Codex home with usage of
 * today (and one request yesterday, which "today" must leave out). Expected costs are
 * worked out by hand from the list prices in ../shared/pricing-facts.md, not by our code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { claudeAssistant, claudeUser, codexMeta, codexRateLimits, codexTokenCount, codexTurnContext } from '../fixtures/transcript-lines';

const CODEX_ID = '0199a213-81c0-7800-8aa1-0000000e2e01';

export function fixtureRolloutPath(corpus: string): string {
  return path.join(corpus, 'codex', 'sessions', '2026', '01', '01', `rollout-2026-01-01T00-00-00-${CODEX_ID}.jsonl`);
}

/**
 * The Codex quota readings of the corpus: 5-hour window 62% used with 30 minutes to go (on
 * pace: no run-out forecast), weekly 20%. `used` makes a later reading of the same windows.
 */
export function fixtureRateLimits(now: number, used = 62, at = now - 60_000): string {
  const fiveHourReset = Math.floor(now / 1000) + 30 * 60;
  return codexRateLimits(new Date(at).toISOString(),
    { used, minutes: 300, resetsAt: fiveHourReset }, { used: 20, minutes: 10080, resetsAt: Math.floor(now / 1000) + 3 * 86_400 }, { plan_type: 'plus' });
}

export function fixtureTranscriptPath(corpus: string): string {
  return path.join(corpus, 'claude', 'projects', '-work-demo-app', 'session-app.jsonl');
}

export function expectedFixtureCost() {
  // Sonnet 4.5: 10k in × $3 + 2k out × $15 + 50k read × $0.30 + 20k 5m-write × $3.75 = $0.15
  // Opus 4.6: 1k in × $5 + 4k out × $25 = $0.105
  // gpt-5-codex: 50k uncached × $1.25 + 150k cached × $0.125 + 8k out × $10 = $0.16125
  return {
    todayUsd: 0.15 + 0.105 + 0.16125,
    yesterdayUsd: 1.5, // Sonnet 4.5: 100k out × $15
    projects: ['/work/demo-app', '/work/demo-api', '/work/demo-cli'],
  };
}

export function writeFixtureCorpus(corpus: string, now = Date.now()): void {
  const ts = new Date(now - 60_000).toISOString();
  const yesterday = new Date(now - 86_400_000).toISOString();
  const write = (file: string, lines: string[]) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  };
  const app = { sessionId: 'session-app', cwd: '/work/demo-app', model: 'claude-sonnet-4-5-20250929' };
  write(fixtureTranscriptPath(corpus), [
    claudeUser('Please refactor the parser', ts, 'session-app'),
    claudeAssistant({ ...app, messageId: 'msg_y', requestId: 'req_y', ts: yesterday, input: 0, output: 100_000 }),
    claudeAssistant({ ...app, messageId: 'msg_a', requestId: 'req_a', ts, input: 10_000, output: 500, cacheRead: 50_000, cacheWrite: 20_000 }),
    claudeAssistant({ ...app, messageId: 'msg_a', requestId: 'req_a', ts, input: 10_000, output: 2_000, cacheRead: 50_000, cacheWrite: 20_000 }),
  ]);
  write(path.join(corpus, 'claude', 'projects', '-work-demo-api', 'session-api.jsonl'), [
    claudeAssistant({ sessionId: 'session-api', cwd: '/work/demo-api', model: 'claude-opus-4-6', messageId: 'msg_b', requestId: 'req_b', ts, input: 1_000, output: 4_000 }),
  ]);
  write(fixtureRolloutPath(corpus), [
    codexMeta(ts, CODEX_ID, '/work/demo-cli'),
    codexTurnContext(ts, 'gpt-5-codex', '/work/demo-cli'),
    codexTokenCount(ts, { input: 200_000, cached: 150_000, output: 8_000 }),
    fixtureRateLimits(now),
  ]);
}
