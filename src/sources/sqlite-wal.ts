/**
 * A SQLite database as of its last commit: the main file with its write-ahead log applied.
 *
 * In WAL mode, committed transactions sit in `<db>-wal` until a checkpoint copies them into the
 * main file. sql.js opens a byte image of one file, so reading the main file alone misses them.
 * This applies the WAL's frames up to the last valid commit to the main file's pages, as SQLite
 * does when it opens the pair, and marks the image as a rollback-journal database so that it
 * opens on its own. Format: https://www.sqlite.org/fileformat2.html#walformat
 */

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
const MAGIC_LITTLE_ENDIAN_SUMS = 0x377f0682;
const MAGIC_BIG_ENDIAN_SUMS = 0x377f0683;
/** Offsets of the "file format write/read version" bytes in the database header: 2 means WAL. */
const WRITE_VERSION_OFFSET = 18;
const READ_VERSION_OFFSET = 19;

export interface WalApplied {
  image: Uint8Array;
  /** Frames applied (those of complete, valid transactions). */
  frames: number;
  /** Valid frames after the last commit (a transaction being written): not applied. */
  uncommittedFrames: number;
}

/** The database as of the WAL's last valid commit. A missing, empty or foreign WAL changes nothing. */
export function applyWal(main: Uint8Array, wal: Uint8Array | undefined): WalApplied {
  const frames = wal ? committedFrames(wal) : undefined;
  if (!frames || frames.commits.length === 0) {
    return { image: asRollbackJournal(main.slice()), frames: 0, uncommittedFrames: frames?.pending ?? 0 };
  }
  const { pageSize, commits } = frames;
  const last = commits[commits.length - 1]!;
  const image = new Uint8Array(last.dbPages * pageSize);
  image.set(main.subarray(0, Math.min(main.length, image.length)));
  let applied = 0;
  for (const frame of frames.valid.slice(0, last.frameIndex + 1)) {
    if (frame.page <= last.dbPages) image.set(wal!.subarray(frame.offset, frame.offset + pageSize), (frame.page - 1) * pageSize);
    applied++;
  }
  return { image: asRollbackJournal(image), frames: applied, uncommittedFrames: frames.valid.length - applied };
}

interface Frame {
  page: number;
  /** Offset of the page content in the WAL. */
  offset: number;
}

interface WalFrames {
  pageSize: number;
  valid: Frame[];
  /** Commit frames: index into `valid` and the database size in pages after that commit. */
  commits: { frameIndex: number; dbPages: number }[];
  pending: number;
}

/** Walks the WAL's frames while their salts and running checksums hold. */
function committedFrames(wal: Uint8Array): WalFrames | undefined {
  if (wal.length < WAL_HEADER_BYTES) return undefined;
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.getUint32(0);
  if (magic !== MAGIC_LITTLE_ENDIAN_SUMS && magic !== MAGIC_BIG_ENDIAN_SUMS) return undefined;
  const bigEndian = magic === MAGIC_BIG_ENDIAN_SUMS;
  const pageSize = view.getUint32(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return undefined;
  const salt1 = view.getUint32(16);
  const salt2 = view.getUint32(20);
  let sums = checksum(view, 0, 24, [0, 0], bigEndian);
  if (sums[0] !== view.getUint32(24) || sums[1] !== view.getUint32(28)) return undefined;

  const valid: Frame[] = [];
  const commits: { frameIndex: number; dbPages: number }[] = [];
  for (let at = WAL_HEADER_BYTES; at + FRAME_HEADER_BYTES + pageSize <= wal.length; at += FRAME_HEADER_BYTES + pageSize) {
    const page = view.getUint32(at);
    if (page === 0 || view.getUint32(at + 8) !== salt1 || view.getUint32(at + 12) !== salt2) break;
    sums = checksum(view, at, 8, sums, bigEndian);
    sums = checksum(view, at + FRAME_HEADER_BYTES, pageSize, sums, bigEndian);
    if (sums[0] !== view.getUint32(at + 16) || sums[1] !== view.getUint32(at + 20)) break;
    valid.push({ page, offset: at + FRAME_HEADER_BYTES });
    const dbPages = view.getUint32(at + 4);
    if (dbPages > 0) commits.push({ frameIndex: valid.length - 1, dbPages });
  }
  const lastCommit = commits.length ? commits[commits.length - 1]!.frameIndex + 1 : 0;
  return { pageSize, valid, commits, pending: valid.length - lastCommit };
}

/** SQLite's WAL checksum: two running 32-bit sums over pairs of words. */
function checksum(view: DataView, from: number, length: number, start: [number, number], bigEndian: boolean): [number, number] {
  let [s1, s2] = start;
  const littleEndian = !bigEndian;
  for (let at = from; at < from + length; at += 8) {
    s1 = (s1 + view.getUint32(at, littleEndian) + s2) >>> 0;
    s2 = (s2 + view.getUint32(at + 4, littleEndian) + s1) >>> 0;
  }
  return [s1, s2];
}

/** Marks the image as a rollback-journal database, so that it opens without its WAL. */
function asRollbackJournal(image: Uint8Array): Uint8Array {
  if (image.length > READ_VERSION_OFFSET && image[WRITE_VERSION_OFFSET] === 2) {
    image[WRITE_VERSION_OFFSET] = 1;
    image[READ_VERSION_OFFSET] = 1;
  }
  return image;
}
