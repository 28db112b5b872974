import { isUtf8 } from 'node:buffer';
import { parse } from 'csv-parse/sync';
import { mapHeaders, type CsvRow, type CsvRowError, type HeaderMapping } from '../../domain';
import { ApiProblem } from '../problem';

export interface EmployeeCsv {
  delimiter: ',' | ';';
  mapping: HeaderMapping;
  rows: CsvRow[];
  /** Rows whose number of cells differs from the header's. */
  shapeErrors: CsvRowError[];
}

/** More rows than this is not a directory a person keeps by hand: split the file. */
const MAX_ROWS = 200_000;

const fileProblem = (code: string, detail: string) => new ApiProblem(422, code, detail);

/**
 * Reads an uploaded employee file: UTF-8 with or without a byte-order mark, comma or
 * semicolon (whichever the header line uses outside quotes), quoted fields with newlines
 * (csv-parse, https://csv.js.org/parse/options), empty lines skipped. A file that is not
 * UTF-8 or not CSV is refused as a whole, with what to do.
 *
 * The bytes go to csv-parse as they are and each record becomes its row as it is read
 * (`on_record`): no decoded copy of the file, and no per-record info objects, are kept
 * while the rest is parsed, which is what made large files slow down faster than they grew.
 */
export function readEmployeeCsv(bytes: Buffer): EmployeeCsv {
  if (bytes.length === 0) throw fileProblem('CSV_EMPTY', 'The file is empty. Download the template, fill it in and upload it.');
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw fileProblem('CSV_NOT_UTF8', 'The file is saved as UTF-16. Save it again as "CSV UTF-8 (comma delimited)" and upload it.');
  }
  // A workbook is a zip archive (its first bytes "PK\x03\x04"): the usual wrong upload.
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304) {
    throw fileProblem('CSV_NOT_TEXT', 'This is a workbook (such as .xlsx), not a CSV file. In Excel choose File > Save As > "CSV UTF-8 (comma delimited)" and upload that.');
  }
  if (!isUtf8(bytes)) {
    const line = lineOfFirstInvalidByte(bytes);
    throw fileProblem('CSV_NOT_UTF8', `The file is not UTF-8 text (line ${line} has bytes that are not). Save it as "CSV UTF-8" and upload it again.`);
  }
  if (bytes.includes(0)) throw fileProblem('CSV_NOT_TEXT', 'The file holds binary data, not CSV text. Export the sheet as CSV UTF-8 and upload that.');
  const delimiter = detectDelimiter(bytes);

  let header: string[] | undefined;
  let mapping: HeaderMapping | undefined;
  let dataRows = 0;
  const rows: CsvRow[] = [];
  const shapeErrors: CsvRowError[] = [];
  const onRecord = (record: string[], info: { lines: number }): null => {
    if (!header) {
      header = record;
      mapping = checkedHeader(record);
      return null;
    }
    dataRows += 1;
    if (dataRows > MAX_ROWS) throw fileProblem('CSV_TOO_MANY_ROWS', `The file has more than ${MAX_ROWS} rows; the import reads at most ${MAX_ROWS}. Split it into several files.`);
    // info.lines is where the record ends; a quoted field with newlines started earlier.
    const line = info.lines - newlinesIn(record);
    if (record.length > header.length && record.slice(header.length).some((cell) => cell.trim() !== '')) {
      shapeErrors.push({ line, email: null, field: null, code: 'COLUMN_COUNT', message: `This row has ${record.length} cells and the header ${header.length}: a delimiter inside a value needs quotes.` });
      return null;
    }
    const values: CsvRow['values'] = {};
    for (const [index, field] of mapping!.fields) values[field] = record[index] ?? '';
    rows.push({ line, values });
    return null;
  };

  try {
    parse(bytes, { delimiter, bom: true, skip_empty_lines: true, relax_column_count: true, max_record_size: 1024 * 1024, on_record: onRecord });
  } catch (error) {
    // The file's own refusals (header, size) come out of on_record as they were thrown.
    if (error instanceof ApiProblem) throw error;
    const where = (error as { lines?: number }).lines;
    if ((error as { code?: string }).code === 'CSV_MAX_RECORD_SIZE') {
      throw fileProblem('CSV_MALFORMED', `The row on line ${where ?? '?'} holds more than 1 MB: a quote left open there makes the rest of the file one cell. Check the quotes on that line.`);
    }
    throw fileProblem('CSV_MALFORMED', `The file is not valid CSV${where ? ` near line ${where}` : ''}: ${(error as Error).message.replace(/^Invalid [^:]+:\s*/, '')}. Check the quotes on that line.`);
  }
  if (!header || !mapping) throw fileProblem('CSV_EMPTY', 'The file has no header line. The first line must name the columns, such as "Email".');
  // Column names and nothing under them is a mistake, not a request to empty the directory (missing people may be set to leave).
  if (rows.length === 0 && shapeErrors.length === 0) throw fileProblem('CSV_NO_ROWS', 'The file names its columns but has no employees under them. Add one line per person, as in the template.');
  return { delimiter, mapping, rows, shapeErrors };
}

/** The header's columns, or the file's refusal: no header, two columns for one field, no email column. */
function checkedHeader(record: string[]): HeaderMapping {
  if (record.every((cell) => cell.trim() === '')) throw fileProblem('CSV_EMPTY', 'The file has no header line. The first line must name the columns, such as "Email".');
  const mapping = mapHeaders(record.map((h) => h.replace(/^\uFEFF/, '').trim()));
  if (mapping.duplicated.length > 0) {
    const [first] = mapping.duplicated;
    throw fileProblem('CSV_DUPLICATE_COLUMN', `Two columns give the ${first!.field}: ${first!.headers.map((h) => `"${h}"`).join(' and ')}. Keep one of them.`);
  }
  if (![...mapping.fields.values()].includes('email')) {
    throw fileProblem('CSV_EMAIL_COLUMN_MISSING', `No column holds the email (found ${record.map((h) => `"${h}"`).join(', ')}). Name one "Email".`);
  }
  return mapping;
}

/** Line breaks inside a record's quoted cells (a CRLF counts once, as in the file's line numbers). */
function newlinesIn(record: readonly string[]): number {
  let count = 0;
  for (const cell of record) if (cell.includes('\n') || cell.includes('\r')) count += cell.match(/\r\n|\n|\r/g)!.length;
  return count;
}

/** The delimiter of the header line: whichever of comma and semicolon appears more often outside quotes. */
function detectDelimiter(bytes: Buffer): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  // The header line is near the start: only that much is decoded.
  for (const char of bytes.toString('utf8', 0, Math.min(bytes.length, 1024 * 1024)).replace(/^\uFEFF/, '')) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && char === ',') commas += 1;
    else if (!quoted && char === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}

function lineOfFirstInvalidByte(bytes: Buffer): number {
  let line = 1;
  for (let i = 0; i < bytes.length; i += 1) {
    if (bytes[i] === 0x0a) line += 1;
    else if (bytes[i]! >= 0x80) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, Math.min(bytes.length, i + 4)));
      } catch {
        // A multi-byte sequence can be cut by the window: only a lead byte that fails with all its continuation counts.
        const width = bytes[i]! >= 0xf0 ? 4 : bytes[i]! >= 0xe0 ? 3 : bytes[i]! >= 0xc0 ? 2 : 1;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + width));
        } catch {
          return line;
        }
      }
    }
  }
  return line;
}
