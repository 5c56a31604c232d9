import type { AgentId } from '../core/usage';
import type { Statements } from './statement-cache';

/** Integer ids for projects, models and sessions, created on first sight and memoised. */
export class Dimensions {
  private readonly projects = new Map<string, number>();
  private readonly models = new Map<string, number>();
  private readonly sessions = new Map<string, number>();

  constructor(private readonly statements: Statements) {}

  projectId(path: string): number {
    return this.lookup(this.projects, path, 'dim_project', 'path', [path]);
  }

  modelId(name: string): number {
    return this.lookup(this.models, name, 'dim_model', 'name', [name]);
  }

  sessionId(agent: AgentId, key: string): number {
    const cacheKey = `${agent}\u0000${key}`;
    let id = this.sessions.get(cacheKey);
    if (id === undefined) {
      const found = this.statements.row('SELECT id FROM dim_session WHERE agent = ? AND session_key = ?', [agent, key]);
      if (found) id = Number(found[0]);
      else {
        this.statements.run('INSERT INTO dim_session (agent, session_key) VALUES (?, ?)', [agent, key]);
        id = Number(this.statements.row('SELECT last_insert_rowid()', [])![0]);
      }
      this.sessions.set(cacheKey, id);
    }
    return id;
  }

  private lookup(cache: Map<string, number>, value: string, table: string, column: string, params: string[]): number {
    let id = cache.get(value);
    if (id === undefined) {
      const found = this.statements.row(`SELECT id FROM ${table} WHERE ${column} = ?`, params);
      if (found) id = Number(found[0]);
      else {
        this.statements.run(`INSERT INTO ${table} (${column}) VALUES (?)`, params);
        id = Number(this.statements.row('SELECT last_insert_rowid()', [])![0]);
      }
      cache.set(value, id);
    }
    return id;
  }
}
