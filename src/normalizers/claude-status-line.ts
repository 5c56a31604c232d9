import * as path from 'node:path';
import { percentOf } from '../core/limits';
import { asObject, asString, parseTimestamp, type StatusLineSupport } from './agent-normalizer';
import { claudeRateLimits, keptRateLimits } from './claude-rate-limits';
import type { LimitSource } from './limit-source';

/** `agent-ledger statusline` appends `{"ts": ISO, "rate_limits": {five_hour, seven_day}}` lines here. */
const claudeStatusLineSource: LimitSource = {
  id: 'claude-statusline',
  fileName: 'claude-statusline.jsonl',
  markers: ['"rate_limits"'],
  read(line) {
    const entry = asObject(line);
    const observedAt = parseTimestamp(entry?.ts);
    if (!entry || observedAt === undefined) return undefined;
    const readings = claudeRateLimits(entry.rate_limits, observedAt);
    return readings.length ? readings : undefined;
  },
  entry(quota) {
    const kept = keptRateLimits(quota);
    return kept ? `"rate_limits":${JSON.stringify(kept)}` : undefined;
  },
};

/**
 * Claude Code's status line (2.1.80+): the `statusLine` setting of its `settings.json` runs a
 * command with `{session_id, model, context_window, rate_limits, …}` on stdin.
 */
export const claudeStatusLine: StatusLineSupport = {
  /** `$CLAUDE_CONFIG_DIR` (its first entry) or `~/.claude`, then `settings.json`. */
  settingsPath(env, home) {
    const first = env.CLAUDE_CONFIG_DIR?.split(',').map((d) => d.trim()).find(Boolean);
    const dir = first ? first.replace(/^~(?=$|[\\/])/, home) : path.join(home, '.claude');
    return path.join(dir, 'settings.json');
  },
  settingKey: 'statusLine',
  settingValue: (command) => ({ type: 'command', command }),
  commandOf: (value) => asString(asObject(value)?.command),
  readInput(json, now) {
    const input = asObject(json);
    const model = asObject(input?.model);
    return {
      sessionId: asString(input?.session_id),
      model: asString(model?.display_name) ?? asString(model?.id),
      contextPercent: percentOf(asObject(input?.context_window)?.used_percentage),
      limits: claudeRateLimits(input?.rate_limits, now),
      quota: input?.rate_limits,
    };
  },
  journal: claudeStatusLineSource,
};
