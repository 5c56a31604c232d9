/** Worker thread entry: parses transcript files for the main thread (see parse-pool.ts). */
import { parentPort } from 'node:worker_threads';
import { parseFile, type ParseRequest } from './parse-file';

parentPort?.on('message', (message: { id: number; request: ParseRequest }) => {
  parentPort!.postMessage({ id: message.id, result: parseFile(message.request) });
});
