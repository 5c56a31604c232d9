/**
 * Which quota notifications are due: a window crossing a threshold, or heading to run out
 * before it resets; each once per window instance. No `vscode` import: unit-tested in Node.
 */
import { windowPace, type Thresholds } from '../core/limit-pace';
import { sameWindowInstance, windowKey, windowLabel, type LimitSnapshot } from '../core/limits';

export interface LimitAlert {
  /** Remembered once shown, so the same alert never shows twice. */
  keys: string[];
  severity: 'warning' | 'error';
  message: string;
}

/** `<window>|<reset ms>|<what>`: what was shown for one instance of a window. */
function alertKey(w: LimitSnapshot, what: number | 'runout'): string {
  return `${windowKey(w)}|${w.resetsAt}|${what}`;
}

/** Whether `what` was shown for this window instance (reset times of one instance jitter by seconds). */
function wasShown(shown: ReadonlySet<string>, w: LimitSnapshot, what: number | 'runout'): boolean {
  const prefix = `${windowKey(w)}|`;
  for (const key of shown) {
    if (!key.startsWith(prefix)) continue;
    const [reset, shownWhat] = key.slice(prefix.length).split('|');
    if (shownWhat === String(what) && sameWindowInstance(Number(reset), w.resetsAt)) return true;
  }
  return false;
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
    const name = `${label(w.agent)} ${windowLabel(w.windowMinutes)} quota`;
    const crossed = [t.warnAt, t.criticalAt].filter((p) => w.usedPercent >= p);
    const fresh = crossed.filter((p) => !wasShown(shown, w, p));
    if (fresh.length) {
      const top = Math.max(...crossed);
      alerts.push({
        keys: crossed.map((p) => alertKey(w, p)),
        severity: top >= t.criticalAt ? 'error' : 'warning',
        message: `${name} is ${Math.round(w.usedPercent)}% used; it resets at ${time(w.resetsAt)}.`,
      });
      continue;
    }
    // Once the critical alert was shown, a run-out forecast tells nothing new.
    if (wasShown(shown, w, t.criticalAt) || wasShown(shown, w, 'runout')) continue;
    const pace = windowPace(w, now, t);
    if (pace.runOutAt !== undefined && pace.runOutAt > now) {
      alerts.push({
        keys: [alertKey(w, 'runout')],
        severity: 'warning',
        message: `${name}: at this pace it runs out at ${time(pace.runOutAt)}, before it resets at ${time(w.resetsAt)}.`,
      });
    }
  }
  return alerts;
}
