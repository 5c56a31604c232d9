import type { AgentId } from '../core/usage';
import { NO_LINES, type AgentNormalizer, type DocumentFileSet } from './agent-normalizer';
import { HISTORY_FILE, HISTORY_ITEM_FILE, modelFromEnvironment, taskWorkspace } from './task-sidecars';
import { taskStoreFileSet } from './task-store';

/**
 * The Roo-format task store, shared by Roo Code and Kilo Code ≤4.x: `<globalStorage>/<extension
 * id>/tasks/<taskId>/ui_messages.json`. Roo saves by renaming the live file away before putting
 * the new one in place, so the file is briefly missing: that is "read it later", never "forget
 * what it counted" (the store keeps every counted request). The model is only in the
 * conversation history's environment blocks.
 */
export function rooTaskStore(agent: AgentId, keyPrefix: string, extensionFolder: string): DocumentFileSet {
  return taskStoreFileSet(extensionFolder, [HISTORY_FILE, HISTORY_ITEM_FILE], (input) => ({
    agent,
    keyPrefix,
    semantics: 'roo',
    // Roo's getApiMetrics sums api_req_started only: a restore's total never includes an earlier one's.
    totalsInclude: 'requests',
    modelAt: (ts, index) => modelFromEnvironment(input, ts, index),
    projectOf: taskWorkspace,
  }));
}

export const rooNormalizer: AgentNormalizer<null> = {
  ...NO_LINES,
  agent: 'roo',
  label: 'Roo Code',
  colour: 'c-pink',
  rootHint: "an editor's globalStorage folder (or Roo's custom storage path)",
  fileSets: [rooTaskStore('roo', 'ro', 'rooveterinaryinc.roo-cline')],
};
