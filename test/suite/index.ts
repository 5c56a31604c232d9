import * as path from 'node:path';
import Mocha from 'mocha';
import { extensionSuite } from './extension.test';

/** Entry point VS Code calls in the extension host (`extensionTestsPath`). */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  mocha.suite.emit('pre-require', globalThis, path.join(__dirname, 'extension.test.js'), mocha);
  extensionSuite();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
