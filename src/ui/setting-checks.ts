/** Checks of settings whose mistakes would otherwise go unnoticed. No `vscode` import: unit-tested in Node. */
import type { AgentId } from '../core/usage';
import { missingRoots } from '../sources/roots';

/** One warning per `extraRoots` folder that does not exist. */
export function missingRootWarnings(section: string, extraRoots: Record<AgentId, readonly string[]>): string[] {
  return missingRoots(extraRoots).map(({ agent, root }) => `${section}.${agent}.extraRoots: "${root}" does not exist; it is read once it does`);
}

/** The critical level is never below the warning level: a setting that puts it there is said, and raised to it. */
export function raisedToWarnLevel(section: string, warnAt: number, criticalAt: number, log: { warn(message: string): void }): number {
  if (criticalAt >= warnAt) return criticalAt;
  log.warn(`${section}.limits.criticalAt (${criticalAt}%) is below ${section}.limits.warnAt (${warnAt}%); using ${warnAt}%`);
  return warnAt;
}
