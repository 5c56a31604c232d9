/**
 * The per-agent settings of package.json `contributes.configuration`, derived from the registry
 * (package.json is static JSON: `npm run sync-settings` writes these, and a unit test fails when
 * they drift). No `vscode` import: used by the test and the script.
 */
import { NORMALIZERS } from '../normalizers/registry';

export interface SettingSchema {
  type: string;
  default: unknown;
  order: number;
  /** Where the setting may be set (VS Code's `scope`); window scope when absent. */
  scope?: 'application' | 'machine' | 'window' | 'resource';
  description?: string;
  markdownDescription?: string;
  items?: { type: string };
}

/**
 * `agentLedger.<agent>.enabled` and `.extraRoots` for every agent, in registry order. Every window
 * shares one ledger, so these are user settings (a workspace could not change what another window
 * reads); folders are this machine's own, so they are not synced.
 */
function agentSettings(): Record<string, SettingSchema> {
  const properties: Record<string, SettingSchema> = {};
  NORMALIZERS.forEach((normalizer, index) => {
    properties[`agentLedger.${normalizer.agent}.enabled`] = {
      type: 'boolean',
      default: true,
      order: 2 * index + 1,
      scope: 'application',
      description: `Track ${normalizer.label} usage.`,
    };
    properties[`agentLedger.${normalizer.agent}.extraRoots`] = {
      type: 'array',
      items: { type: 'string' },
      default: [],
      order: 2 * index + 2,
      scope: 'machine',
      markdownDescription: `More ${normalizer.label} folders to read besides the defaults: each is ${normalizer.rootHint ?? 'a root folder'}.`,
    };
  });
  return properties;
}

/** The settings that are not per agent keep their place after the agents'. */
const FIRST_GENERAL_ORDER = 2 * NORMALIZERS.length + 1;

/** package.json's configuration properties with the agents' replaced by the registry's. */
export function withAgentSettings(properties: Record<string, SettingSchema>): Record<string, SettingSchema> {
  const agentKeys = /^agentLedger\.[a-z0-9-]+\.(enabled|extraRoots)$/;
  const general = Object.entries(properties).filter(([key]) => !agentKeys.test(key));
  general.sort(([, a], [, b]) => a.order - b.order);
  const out: Record<string, SettingSchema> = { ...agentSettings() };
  general.forEach(([key, schema], i) => (out[key] = { ...schema, order: FIRST_GENERAL_ORDER + i }));
  return out;
}
