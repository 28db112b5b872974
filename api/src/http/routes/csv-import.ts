import type { Request, Response, Server } from 'restify';
import { stringify } from 'csv-stringify/sync';
import { CSV_IMPORT_MAX_BYTES } from '../../contract';
import { createCsvImport } from '../csv-import/csv-import-service';
import { requestLogger } from '../../service';
import { ApiProblem } from '../problem';
import { syncRunRepresentation } from '../representations/sync-run';
import { acceptBody, serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';

const UPLOAD_TYPE = 'application/octet-stream';
const templateHeaders = ['Email', 'First name', 'Last name', 'Display name', 'Department', 'Job title', 'Office', 'City', 'Country', 'Language', 'Employee ID', 'Company', 'Manager email', 'Status'];
const templateExample = ['ada@example.com', 'Ada', 'Lovelace', 'Ada Lovelace', 'Research', 'Analyst', 'London', 'London', 'GB', 'en-GB', 'E-001', 'Example Ltd', '', 'active'];

/**
 * The file's bytes, as sent (the global body parser leaves application/octet-stream
 * alone), refused past the import's size limit without reading the rest.
 */
async function readUpload(req: Request, res: Response, maxBytes: number): Promise<Buffer> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== UPLOAD_TYPE) {
    throw new ApiProblem(415, 'CSV_UPLOAD_TYPE', `Send the file's bytes as the request body with Content-Type: ${UPLOAD_TYPE} (got ${type || 'none'}).`);
  }
  const tooLarge = () => new ApiProblem(413, 'CSV_TOO_LARGE', `The file is larger than ${maxBytes / (1024 * 1024)} MB. Split it into smaller files.`);
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge();
  acceptBody(req, res);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** CSV import: a template, a preview of a file, and applying that preview. */
export function serveCsvImport(server: Server, authenticate: Authenticate, services: ApiServices): void {
  const csvImport = createCsvImport(services.store);

  serveRoute(server, 'csvImportTemplate', authenticate, async ({ res }) => {
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="employees-template.csv"' });
    res.end(stringify([templateHeaders, templateExample], { bom: true }));
  });

  serveRoute(server, 'previewCsvImport', authenticate, async ({ principal, req, res, query }) => {
    const bytes = await readUpload(req, res, CSV_IMPORT_MAX_BYTES);
    return csvImport.preview(principal.organizationId, principal.email, bytes, { missing: query.missing, fileName: query.fileName });
  });

  serveRoute(server, 'applyCsvImport', authenticate, async ({ principal, req, res, params }) => {
    const bytes = await readUpload(req, res, CSV_IMPORT_MAX_BYTES);
    try {
      return { run: syncRunRepresentation(await csvImport.apply(principal.organizationId, params.previewId, bytes)) };
    } catch (error) {
      // A write that failed is answered as a problem the person can act on; what failed is for the operator.
      if (error instanceof ApiProblem && error.status >= 500) requestLogger(req).error({ err: error.cause ?? error }, 'the CSV import could not be written');
      throw error;
    }
  });
}
