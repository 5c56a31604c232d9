import { NO_LINES, type AgentNormalizer } from './agent-normalizer';
import { opencodeDatabase } from './opencode-message';
import { rooTaskStore } from './roo';

const AGENT = 'kilo';

/**
 * Kilo Code: the Roo-format task store of the extension up to 4.x, and `kilo.db`, the
 * OpenCode-format database that Kilo CLI and the rebuilt extension (March 2026) share.
 */
export const kiloNormalizer: AgentNormalizer<null> = {
  ...NO_LINES,
  agent: AGENT,
  label: 'Kilo Code',
  colour: 'c-red',
  rootHint: "an editor's globalStorage folder, or a Kilo data folder like ~/.local/share/kilo",
  fileSets: [
    rooTaskStore(AGENT, 'ki', 'kilocode.kilo-code'),
    opencodeDatabase(AGENT, 'kd', /^kilo\.db$/, ['kilo'], {
      env: [{ name: 'KILO_DATA_DIR', dirs: [''] }, { name: 'XDG_DATA_HOME' }],
      home: ['.local/share'],
      userDirs: ['', 'kilo'],
    }),
  ],
};
