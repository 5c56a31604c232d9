/**
 * Messages between the extension host and its engine thread. Plain data only: the host sends
 * requests and receives small snapshots (status bar, panel) and events, never the database.
 */
import type { PanelData, PanelFilter } from '../protocol/panel-protocol';
import type { LimitsView } from '../readers/limit-types';
import type { LimitsViewOptions } from '../readers/limits-view';
import type { StatusSnapshot } from '../ui/status-snapshot';
import type { RebuildReport } from './engine';
import type { IngestProgress } from './ingest';
import type { IngestSettings, Role } from './live-ledger';

export interface EngineInit {
  ledgerDir: string;
  timeZone: string;
  ingest: IngestSettings;
}

export interface EngineRequests {
  status: { args: { workspaceFolders: string[] }; result: StatusSnapshot | undefined };
  panel: { args: { filter: PanelFilter }; result: PanelData | undefined };
  limits: { args: { options: LimitsViewOptions }; result: LimitsView | undefined };
  refresh: { args: Record<string, never>; result: { requests: number } | undefined };
  rebuild: { args: Record<string, never>; result: { ok: true; report: RebuildReport } | { ok: false; reason: string } };
  setTimeZone: { args: { zone: string }; result: void };
  reconfigure: { args: { ingest: IngestSettings }; result: void };
  cancelIndexing: { args: Record<string, never>; result: void };
  dispose: { args: Record<string, never>; result: void };
}

export type RequestType = keyof EngineRequests;

export type EngineEvent =
  | { type: 'ready'; role: Role }
  | { type: 'changed' }
  | { type: 'role'; role: Role }
  | { type: 'progress'; progress: IngestProgress | undefined }
  | { type: 'rebuildProgress'; stage: 'marts'; done: number; total: number }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'fatal'; message: string };

export type HostMessage =
  | { kind: 'init'; init: EngineInit }
  | { kind: 'request'; id: number; type: RequestType; args: unknown };

export type WorkerMessage =
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; message: string };
