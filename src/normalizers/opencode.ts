import * as path from 'node:path';
import { NO_LINES, type AgentNormalizer, type DocumentFileSet } from './agent-normalizer';
import { opencodeDatabase, opencodeRecord } from './opencode-message';

const AGENT = 'opencode';
const KEY_PREFIX = 'oc';

/** `$XDG_DATA_HOME/opencode` (default `~/.local/share/opencode`, on macOS too); ccusage reads `OPENCODE_DATA_DIR`. */
const roots = { env: [{ name: 'OPENCODE_DATA_DIR', dirs: [''] }, { name: 'XDG_DATA_HOME' }], home: ['.local/share'], userDirs: [''] };

/** ≤1.1: one JSON file per message, rewritten on every update. */
const legacyMessages: DocumentFileSet = {
  kind: 'document',
  dirs: ['opencode/storage/message'],
  roots: { ...roots, env: [{ name: 'OPENCODE_DATA_DIR', dirs: ['storage/message'] }, { name: 'XDG_DATA_HOME' }], userDirs: ['storage/message'] },
  match: /^[^/]+\/[^/]+\.json$/,
  read(document, input) {
    const record = opencodeRecord(document, {
      agent: AGENT,
      keyPrefix: KEY_PREFIX,
      id: path.basename(input.path, '.json'),
      sessionId: path.basename(path.dirname(input.path)),
      directory: undefined,
      offset: 0,
    });
    return { records: record ? [record] : [] };
  },
};

/**
 * OpenCode: `opencode.db` (1.2+; `opencode-<channel>.db` for other channels), a SQLite
 * database in WAL mode, and the legacy JSON message store.
 */
export const opencodeNormalizer: AgentNormalizer<null> = {
  ...NO_LINES,
  agent: AGENT,
  label: 'OpenCode',
  colour: 'c-yellow',
  rootHint: 'a data folder like ~/.local/share/opencode',
  fileSets: [opencodeDatabase(AGENT, KEY_PREFIX, /^opencode(-[\w.-]+)?\.db$/, ['opencode'], roots), legacyMessages],
};
