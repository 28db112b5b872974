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
 */
export function readEmployeeCsv(bytes: Buffer): EmployeeCsv {
  if (bytes.length === 0) throw fileProblem('CSV_EMPTY', 'The file is empty. Download the template, fill it in and upload it.');
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw fileProblem('CSV_NOT_UTF8', 'The file is saved as UTF-16. Save it again as "CSV UTF-8 (comma delimited)" and upload it.');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const line = lineOfFirstInvalidByte(bytes);
    throw fileProblem('CSV_NOT_UTF8', `The file is not UTF-8 text (line ${line} has bytes that are not). Save it as "CSV UTF-8" and upload it again.`);
  }
  if (text.includes('\u0000')) throw fileProblem('CSV_NOT_TEXT', 'The file holds binary data, not CSV text. Export the sheet as CSV UTF-8 and upload that.');
  const delimiter = detectDelimiter(text);

  let records: Array<{ record: string[]; info: { lines: number }; raw: string }>;
  try {
    records = parse(text, { delimiter, bom: true, skip_empty_lines: true, relax_column_count: true, info: true, raw: true, max_record_size: 1024 * 1024 }) as unknown as typeof records;
  } catch (error) {
    const where = (error as { lines?: number }).lines;
    throw fileProblem('CSV_MALFORMED', `The file is not valid CSV${where ? ` near line ${where}` : ''}: ${(error as Error).message.replace(/^Invalid [^:]+:\s*/, '')}. Check the quotes on that line.`);
  }
  const [header, ...data] = records;
  if (!header || header.record.every((cell) => cell.trim() === '')) throw fileProblem('CSV_EMPTY', 'The file has no header line. The first line must name the columns, such as "Email".');
  if (data.length > MAX_ROWS) throw fileProblem('CSV_TOO_MANY_ROWS', `The file has ${data.length} rows; the import reads at most ${MAX_ROWS}. Split it into several files.`);
  const mapping = mapHeaders(header.record.map((h) => h.replace(/^\uFEFF/, '').trim()));
  if (mapping.duplicated.length > 0) {
    const [first] = mapping.duplicated;
    throw fileProblem('CSV_DUPLICATE_COLUMN', `Two columns give the ${first!.field}: ${first!.headers.map((h) => `"${h}"`).join(' and ')}. Keep one of them.`);
  }
  if (![...mapping.fields.values()].includes('email')) {
    throw fileProblem('CSV_EMAIL_COLUMN_MISSING', `No column holds the email (found ${header.record.map((h) => `"${h}"`).join(', ')}). Name one "Email".`);
  }

  const rows: CsvRow[] = [];
  const shapeErrors: CsvRowError[] = [];
  for (const { record, info, raw } of data) {
    // info.lines is where the record ends; a quoted field with newlines started earlier.
    const line = info.lines - (raw.replace(/(\r\n|\n|\r)$/, '').match(/\r\n|\n|\r/g)?.length ?? 0);
    if (record.length > header.record.length && record.slice(header.record.length).some((cell) => cell.trim() !== '')) {
      shapeErrors.push({ line, email: null, field: null, code: 'COLUMN_COUNT', message: `This row has ${record.length} cells and the header ${header.record.length}: a delimiter inside a value needs quotes.` });
      continue;
    }
    const values: CsvRow['values'] = {};
    for (const [index, field] of mapping.fields) values[field] = record[index] ?? '';
    rows.push({ line, values });
  }
  return { delimiter, mapping, rows, shapeErrors };
}

/** The delimiter of the header line: whichever of comma and semicolon appears more often outside quotes. */
function detectDelimiter(text: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const char of text.replace(/^\uFEFF/, '')) {
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
