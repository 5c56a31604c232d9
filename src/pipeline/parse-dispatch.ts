import { parseFile, type ParseRequest, type ParseResult } from './parse-file';
import { parseDocument, parseSqlite } from './parse-whole';

/** Parses a file the way its kind grows: lines from an offset, or the whole document or database. */
export function parseByKind(request: ParseRequest): Promise<ParseResult> {
  switch (request.kind ?? 'lines') {
    case 'lines':
      return Promise.resolve(parseFile(request));
    case 'document':
      return Promise.resolve(parseDocument(request));
    case 'sqlite':
      return parseSqlite(request);
  }
}
