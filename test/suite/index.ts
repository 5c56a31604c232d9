import * as path from 'node:path';
import Mocha from 'mocha';
import { extensionSuite } from './extension.test';
import { suiteResultLine } from './suite-result';

/** Entry point VS Code calls in the extension host (`extensionTestsPath`). Fails when no test ran. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  mocha.suite.emit('pre-require', globalThis, path.join(__dirname, 'extension.test.js'), mocha);
  extensionSuite();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const ran = runner.stats?.tests ?? 0;
      console.log(suiteResultLine(ran, runner.stats?.passes ?? 0, failures));
      if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else if (ran === 0) reject(new Error('no test ran'));
      else resolve();
    });
  });
}
