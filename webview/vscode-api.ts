/** The webview's only channel to the host: a typed wrapper over `acquireVsCodeApi()`. */
import type { PanelRequest } from '../src/protocol/panel-protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

/** `acquireVsCodeApi` may be called once per page; outside VS Code a no-op stand-in keeps the page usable. */
const api: VsCodeApi =
  typeof acquireVsCodeApi === 'function'
    ? acquireVsCodeApi()
    : { postMessage: () => undefined, getState: () => undefined, setState: (s) => s };

export function post(message: PanelRequest): void {
  api.postMessage(message);
}

export function readState(): unknown {
  return api.getState();
}

export function writeState<T>(state: T): void {
  api.setState(state);
}
