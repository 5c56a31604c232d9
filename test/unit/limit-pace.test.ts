import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tightestWindow, windowPace } from '../../src/core/limit-pace';
import type { LimitSnapshot } from '../../src/core/limits';
import { dueAlerts } from '../../src/ui/limit-alerts';
import { limitLevel, limitSpoken, limitStatusSuffix, limitTooltipLines } from '../../src/ui/limit-status';
import type { LimitsView, LimitWindowView } from '../../src/readers/limit-types';

const T = { warnAt: 80, criticalAt: 95 };
const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
/** A 5-hour window that started `elapsed` minutes before NOW, read at NOW. */
const five = (used: number, elapsed: number, extra: Partial<LimitSnapshot> = {}): LimitSnapshot => ({
  agent: 'codex', limitId: 'codex', windowMinutes: 300, usedPercent: used, resetsAt: NOW + (300 - elapsed) * MIN, observedAt: NOW, source: 'official', ...extra,
});

describe('pace and projection', () => {
  test('expected use is the elapsed share; behind pace is ok, ahead of pace runs out before the reset', () => {
    const behind = windowPace(five(30, 150), NOW, T);
    assert.deepEqual([behind.expectedPercent, behind.runOutAt, behind.level], [50, undefined, 'ok']);
    const ahead = windowPace(five(60, 150), NOW, T);
    assert.equal(ahead.level, 'warning');
    assert.equal(ahead.runOutAt, NOW - 150 * MIN + (100 / 60) * 150 * MIN); // 250 min into the window, 50 before the reset
    assert.equal(windowPace(five(85, 270), NOW, T).level, 'warning', 'past the warning threshold but on pace');
    assert.equal(windowPace(five(85, 150), NOW, T).level, 'error', 'past the threshold and ahead of pace');
    assert.equal(windowPace(five(96, 290), NOW, T).level, 'error');
  });

  test('too early to tell: no projection in the first tenth of the window or under 10% used', () => {
    assert.equal(windowPace(five(8, 20), NOW, T).runOutAt, undefined);
    assert.equal(windowPace(five(5, 100), NOW, T).runOutAt, undefined);
  });

  test('a reading older than its reset is stale: not tightest, never alerted', () => {
    const old = five(90, 310);
    assert.equal(windowPace(old, NOW, T).stale, true);
    assert.equal(tightestWindow([old, five(20, 100)], NOW)!.usedPercent, 20);
    assert.deepEqual(dueAlerts([old], T, new Set(), NOW), []);
  });

  test('the tightest window is the fullest official one, the shorter on a tie; estimates never', () => {
    const weekly = { ...five(40, 0), windowMinutes: 10080, resetsAt: NOW + 5 * 86_400_000 };
    assert.equal(tightestWindow([weekly, five(40, 100)], NOW)!.windowMinutes, 300);
    assert.equal(tightestWindow([five(70, 100), { ...weekly, usedPercent: 90 }], NOW)!.windowMinutes, 10080);
    assert.equal(tightestWindow([five(99, 100, { source: 'estimate' })], NOW), undefined);
  });
});

describe('quota notifications', () => {
  test('crossing 80% notifies once per window instance; 95% once more; a new instance again', () => {
    const shown = new Set<string>();
    const take = (w: LimitSnapshot, now = NOW) => {
      const alerts = dueAlerts([w], T, shown, now);
      for (const a of alerts) for (const k of a.keys) shown.add(k);
      return alerts.map((a) => [a.severity, a.message]);
    };
    assert.deepEqual(take(five(79, 270)), []);
    assert.deepEqual(take(five(81, 271)), [['warning', 'codex 5h quota is 81% used; it resets at 12:29.']]);
    assert.deepEqual(take(five(85, 272)), [], 'not again for the same window');
    assert.deepEqual(take(five(96, 273)).map((a) => a[0]), ['error']);
    assert.deepEqual(take(five(97, 274)), []);
    assert.deepEqual(take(five(97, 274, { resetsAt: NOW + 26 * MIN + 55_000 })), [], 'a reset time that jitters by seconds is the same instance');
    assert.deepEqual(take(five(82, 10)).map((a) => a[0]), ['warning'], 'the next window instance is a new one');
  });

  test('jumping straight past 95% gives one alert, not two; heading to run out is announced once', () => {
    const shown = new Set<string>();
    const first = dueAlerts([five(97, 200)], T, shown, NOW);
    assert.equal(first.length, 1);
    assert.deepEqual(first[0]!.keys.length, 2);
    const runOut = dueAlerts([five(50, 100)], T, shown, NOW);
    assert.equal(runOut.length, 1);
    assert.match(runOut[0]!.message, /runs out at .* before it resets/);
    for (const k of runOut[0]!.keys) shown.add(k);
    assert.deepEqual(dueAlerts([five(52, 101)], T, shown, NOW), []);
    assert.deepEqual(dueAlerts([five(99, 100, { source: 'estimate' })], T, new Set(), NOW), [], 'estimates are not notified');
  });
});

describe('the status bar\'s quota part', () => {
  const view = (windows: Partial<LimitWindowView>[], tightest?: number): LimitsView => ({
    windows: windows.map((w) => ({
      agent: 'codex', limitId: 'codex', windowMinutes: 300, label: '5h', usedPercent: 62, resetsAt: NOW + 60 * MIN, observedAt: NOW,
      source: 'official', expectedPercent: 80, level: 'ok', stale: false, history: [], ...w,
    } as LimitWindowView)),
    blocks: [],
    ...(tightest !== undefined ? { tightest } : {}),
  });

  test('the tightest official window, or an estimate marked with ~, or nothing', () => {
    assert.equal(limitStatusSuffix(view([{}, { label: 'weekly', usedPercent: 10 }], 0)), ' · 5h 62%');
    assert.equal(limitStatusSuffix(view([{ source: 'estimate', usedPercent: 40.4, agent: 'claude' }])), ' · 5h ~40%');
    assert.equal(limitStatusSuffix(view([])), '');
    assert.equal(limitStatusSuffix(undefined), '');
    assert.equal(limitSpoken(view([{}, { label: 'weekly', usedPercent: 10 }], 0)), 'Codex CLI 5h quota 62% used');
    assert.equal(limitSpoken(view([{ source: 'estimate', usedPercent: 40.4, agent: 'claude' }])), 'Claude Code 5h quota about 40% used');
    assert.equal(limitSpoken(undefined), '');
    assert.equal(limitLevel(view([{ level: 'error' }], 0)), 'error');
    assert.equal(limitLevel(view([{ level: 'error', source: 'estimate' }])), 'ok', 'estimates do not colour the status bar');
  });

  test('the tooltip lists every window with its reset and projected run-out', () => {
    const lines = limitTooltipLines(view([{ runOutAt: NOW + 30 * MIN, level: 'warning' }, { label: 'weekly', stale: true }, { source: 'estimate', agent: 'claude' }], 0), (ms) => new Date(ms).toISOString().slice(11, 16));
    assert.ok(lines.includes('| Codex CLI | 5h | 62% (pace 80%) | 13:00 | runs out 12:30 |'), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('reset at 13:00 \\(no reading since\\)')));
    assert.ok(lines.some((l) => l.startsWith('| Claude Code | 5h (estimate) | ~62%')));
    assert.ok(lines.some((l) => l.includes('Estimate:')));
  });
});
