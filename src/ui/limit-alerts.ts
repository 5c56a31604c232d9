/**
 * Which quota notifications are due: a window crossing a threshold, or heading to run out
 * before it resets; each once per window instance. No `vscode` import: unit-tested in Node.
 */
import { windowPace, type Thresholds } from '../core/limit-pace';
import { windowKey, windowLabel, type LimitSnapshot } from '../core/limits';

export interface LimitAlert {
  /** Remembered once shown, so the same alert never shows twice. */
  keys: string[];
  severity: 'warning' | 'error';
  message: string;
}

/** One instance of a window: its reset time to the nearest 10 minutes (readings jitter). */
function instanceKey(w: LimitSnapshot): string {
  return `${windowKey(w)}|${Math.round(w.resetsAt / 600_000)}`;
}

export function dueAlerts(
  windows: readonly LimitSnapshot[],
  t: Thresholds,
  shown: ReadonlySet<string>,
  now: number,
  label: (agent: string) => string = (a) => a,
  time: (ms: number) => string = (ms) => new Date(ms).toISOString().slice(11, 16),
): LimitAlert[] {
  const alerts: LimitAlert[] = [];
  for (const w of windows) {
    if (w.source !== 'official' || w.resetsAt <= now) continue;
    const instance = instanceKey(w);
    const name = `${label(w.agent)} ${windowLabel(w.windowMinutes)} quota`;
    const crossed = [t.warnAt, t.criticalAt].filter((p) => w.usedPercent >= p);
    const fresh = crossed.filter((p) => !shown.has(`${instance}|${p}`));
    if (fresh.length) {
      const top = Math.max(...crossed);
      alerts.push({
        keys: crossed.map((p) => `${instance}|${p}`),
        severity: top >= t.criticalAt ? 'error' : 'warning',
        message: `${name} is ${Math.round(w.usedPercent)}% used; it resets at ${time(w.resetsAt)}.`,
      });
      continue;
    }
    // Once the critical alert was shown, a run-out forecast tells nothing new.
    if (shown.has(`${instance}|${t.criticalAt}`) || shown.has(`${instance}|runout`)) continue;
    const pace = windowPace(w, now, t);
    if (pace.runOutAt !== undefined && pace.runOutAt > now) {
      alerts.push({
        keys: [`${instance}|runout`],
        severity: 'warning',
        message: `${name}: at this pace it runs out at ${time(pace.runOutAt)}, before it resets at ${time(w.resetsAt)}.`,
      });
    }
  }
  return alerts;
}
