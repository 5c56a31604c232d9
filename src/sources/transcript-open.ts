import * as fs from 'node:fs';

/** Raised for a transcript path that leads (through links) to a FIFO, a device, a socket. */
export class NotRegularFile extends Error {
  readonly code = 'ENOTREG';
  constructor(path: string) {
    super(`${path} is not a regular file`);
  }
}

/**
 * Opens a transcript for reading without ever blocking: a FIFO opened for reading waits for
 * a writer, so the open is non-blocking, and anything but a regular file (checked on the
 * opened descriptor, after links) is refused. Returns the descriptor and its stat.
 */
export function openTranscript(path: string): { fd: number; stat: fs.Stats } {
  const fd = fs.openSync(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new NotRegularFile(path);
    return { fd, stat };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}
