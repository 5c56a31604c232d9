/**
 * The result line the extension-host suite prints last, and how the runner checks it: a suite
 * that registered fewer tests than its source defines, or ran none, must not pass.
 */
import { readFileSync } from 'node:fs';

export const SUITE_RESULT = 'agent-ledger suite:';

export function suiteResultLine(ran: number, passed: number, failed: number): string {
  return `${SUITE_RESULT} ${ran} tests ran, ${passed} passed, ${failed} failed`;
}

export function parseSuiteResult(lines: readonly string[]): { ran: number; passed: number; failed: number } | undefined {
  for (const line of [...lines].reverse()) {
    const m = /agent-ledger suite: (\d+) tests ran, (\d+) passed, (\d+) failed/.exec(line);
    if (m) return { ran: Number(m[1]), passed: Number(m[2]), failed: Number(m[3]) };
  }
  return undefined;
}

/** How many `test(…)` calls a suite source file makes. */
export function testsDefinedIn(sourceFile: string): number {
  return readFileSync(sourceFile, 'utf8').match(/^\s*test\(/gm)?.length ?? 0;
}
