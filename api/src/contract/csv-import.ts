import { z } from 'zod';
import { syncRunSchema } from './sync-runs';

/** The largest CSV file the import reads (20 MB). */
export const CSV_IMPORT_MAX_BYTES = 20 * 1024 * 1024;

export const csvImportQuerySchema = z.object({
  /** `deactivate`: active employees the import manages who are missing from the file leave the directory ("people missing from the file leave"). */
  missing: z.enum(['keep', 'deactivate']).default('keep'),
  fileName: z.string().trim().max(255).optional(),
});

export const csvRowErrorCodeSchema = z
  .enum(['EMAIL_MISSING', 'EMAIL_INVALID', 'EMAIL_DUPLICATE', 'MANAGED_BY_MICROSOFT', 'MANAGER_UNKNOWN', 'STATUS_INVALID', 'VALUE_TOO_LONG', 'VALUE_FORMULA', 'VALUE_CONTROL_CHARACTERS', 'COLUMN_COUNT'])
  .meta({ id: 'CsvRowErrorCode' });

export const csvRowErrorSchema = z
  .object({
    /** The line of the file the row starts on (the header is line 1). */
    line: z.number().int(),
    email: z.string().nullable(),
    /** The column at fault, as the file names it. */
    column: z.string().nullable(),
    code: csvRowErrorCodeSchema,
    message: z.string(),
  })
  .meta({ id: 'CsvRowError' });

const previewEntrySchema = z.object({ line: z.number().int().nullable(), email: z.string(), changedFields: z.array(z.string()).optional() });

export const csvImportPreviewSchema = z
  .object({
    id: z.string(),
    fileName: z.string().nullable(),
    /** Data rows read (empty lines skipped). */
    rows: z.number().int(),
    delimiter: z.enum([',', ';']),
    /** Which header fed which field; headers it did not recognise are listed apart and ignored. */
    columns: z.array(z.object({ header: z.string(), field: z.string() })),
    ignoredColumns: z.array(z.string()),
    missing: z.enum(['keep', 'deactivate']),
    errors: z.array(csvRowErrorSchema),
    /** How many errors there are (the list is capped). */
    errorCount: z.number().int(),
    counts: z.object({ created: z.number().int(), updated: z.number().int(), reactivated: z.number().int(), deactivated: z.number().int(), unchanged: z.number().int() }),
    /** Who would change, each list capped; `truncated` says a list was cut. */
    changes: z.object({
      created: z.array(previewEntrySchema),
      updated: z.array(previewEntrySchema),
      reactivated: z.array(previewEntrySchema),
      deactivated: z.array(previewEntrySchema),
    }),
    truncated: z.boolean(),
    /** False while any row has an error: fix the file and preview again. */
    canApply: z.boolean(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'CsvImportPreview' });
export type CsvImportPreview = z.infer<typeof csvImportPreviewSchema>;

export const csvImportAppliedSchema = z.object({ run: syncRunSchema }).meta({ id: 'CsvImportApplied' });
