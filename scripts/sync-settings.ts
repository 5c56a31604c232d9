/** Writes the per-agent settings of package.json from the agent registry: `npm run sync-settings`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withAgentSettings } from '../src/ui/settings-contribution';

const file = path.join(__dirname, '..', 'package.json');
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
pkg.contributes.configuration.properties = withAgentSettings(pkg.contributes.configuration.properties);
fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
process.stdout.write(`package.json: ${Object.keys(pkg.contributes.configuration.properties).length} settings\n`);
