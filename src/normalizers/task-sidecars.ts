/**
 * What a Cline/Roo/Kilo task's other files say about its requests: the model and the workspace.
 * Only metadata is extracted (model names, a folder path); message content is never kept.
 */
import { asObject, asString, parseEpochOrIso, type DocumentInput } from './agent-normalizer';

export const HISTORY_FILE = 'api_conversation_history.json';
export const HISTORY_ITEM_FILE = 'history_item.json';
export const TASK_METADATA_FILE = 'task_metadata.json';

interface ModelMark {
  ts: number | undefined;
  model: string;
}

const MODEL_TAG = /<model>\s*([^<\s][^<]*?)\s*<\/model>/g;
const WORKSPACE_LINE = /# Current Workspace Directory \(([^)\n]+)\)/;

/**
 * Roo writes the model in force as `<model>…</model>` in the environment block of every user
 * turn of the conversation history (one block per request). A request takes the model of the
 * block nearest to it in time; without times, the block of the same rank; else the last one.
 */
export function modelFromEnvironment(input: DocumentInput, ts: number, index: number): string | undefined {
  const marks = modelMarks(input.sidecars[HISTORY_FILE]);
  if (marks.length === 0) return undefined;
  const timed = marks.filter((m) => m.ts !== undefined);
  if (timed.length > 0) {
    return timed.reduce((best, m) => (Math.abs(m.ts! - ts) < Math.abs(best.ts! - ts) ? m : best)).model;
  }
  return marks[Math.min(index, marks.length - 1)]!.model;
}

/** The last history parsed: a task's requests all ask about the same text. */
let lastText: string | undefined;
let lastMarks: ModelMark[] = [];

function modelMarks(text: string | undefined): ModelMark[] {
  if (text === undefined) return [];
  if (text === lastText) return lastMarks;
  lastText = text;
  lastMarks = parseMarks(text);
  return lastMarks;
}

function parseMarks(text: string): ModelMark[] {
  let history: unknown;
  try {
    history = JSON.parse(text);
  } catch {
    return tagsIn(text).map((model) => ({ ts: undefined, model }));
  }
  const marks: ModelMark[] = [];
  for (const value of Array.isArray(history) ? history : []) {
    const message = asObject(value);
    if (message?.role !== 'user') continue;
    const models = tagsIn(textOf(message.content));
    if (models.length > 0) marks.push({ ts: parseEpochOrIso(message.ts), model: models[models.length - 1]! });
  }
  return marks;
}

function tagsIn(text: string): string[] {
  return [...text.matchAll(MODEL_TAG)].map((m) => m[1]!);
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => asString(asObject(part)?.text) ?? '').join('\n');
}

/**
 * Cline's `task_metadata.json` lists the models a task used, with the time each took over.
 * The returned lookup parses the file once, on its first call, for all of a task's requests.
 */
export function taskMetadataModels(input: DocumentInput): (ts: number) => string | undefined {
  let marks: ModelMark[] | undefined;
  return (ts) => {
    marks ??= modelUsage(input.sidecars[TASK_METADATA_FILE]);
    let model: string | undefined;
    for (const mark of marks) if (model === undefined || (mark.ts !== undefined && mark.ts <= ts)) model = mark.model;
    return model;
  };
}

function modelUsage(text: string | undefined): ModelMark[] {
  if (!text) return [];
  let usage: unknown;
  try {
    usage = asObject(JSON.parse(text))?.model_usage;
  } catch {
    return [];
  }
  const marks: ModelMark[] = [];
  for (const value of Array.isArray(usage) ? usage : []) {
    const entry = asObject(value);
    const model = asString(entry?.model_id);
    if (model) marks.push({ ts: parseEpochOrIso(entry?.ts), model });
  }
  return marks;
}

/** Roo's `history_item.json` names the workspace; else the first environment block does. */
export function taskWorkspace(input: DocumentInput): string | undefined {
  const item = input.sidecars[HISTORY_ITEM_FILE];
  if (item) {
    try {
      const workspace = asString(asObject(JSON.parse(item))?.workspace);
      if (workspace) return workspace;
    } catch {
      // fall through to the environment block
    }
  }
  return WORKSPACE_LINE.exec(input.sidecars[HISTORY_FILE] ?? '')?.[1]?.trim();
}
