import { createHash, randomUUID } from 'node:crypto';
import type { CsvImportPreview } from '../../contract';
import { planCsvImport, type CsvImportPlan, type CsvRowError, type PlannedChange } from '../../domain';
import type { NewEmployeeChangeEntry, Store, SyncRun } from '../../store';
import { ApiProblem } from '../problem';
import { readEmployeeCsv, type EmployeeCsv } from './read-employee-csv';

/** A preview may be applied this long after it was made. */
const PREVIEW_LIFETIME_MS = 30 * 60_000;
/** The longest list of errors and of each kind of change a preview shows. */
const LIST_CAP = 500;

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * What binds a preview to the directory as it was: the changes it showed, and its errors.
 * Applying recomputes the plan; any difference means the directory moved meanwhile.
 * Hashed change by change: one JSON text of a 100,000-row plan was tens of megabytes held at once.
 */
function planDigest(plan: CsvImportPlan): string {
  const hash = createHash('sha256');
  for (const [kind, changes] of [['create', plan.create], ['update', plan.update], ['reactivate', plan.reactivate], ['deactivate', plan.deactivate]] as const) {
    hash.update(`${kind}:${changes.length}\n`);
    for (const c of changes) hash.update(`${JSON.stringify([c.employeeId, c.email, c.status, c.attributes, c.before])}\n`);
  }
  hash.update(`unchanged:${plan.unchanged}\n`);
  for (const e of plan.errors) hash.update(`${e.line}:${e.code}\n`);
  return hash.digest('hex');
}

/** CSV import: preview (nothing changes), then apply all or nothing, recorded as a sync run. */
export function createCsvImport(store: Store) {
  async function planFor(organizationId: string, bytes: Buffer, missing: 'keep' | 'deactivate'): Promise<{ csv: Omit<EmployeeCsv, 'rows'> & { rowCount: number }; plan: CsvImportPlan; errors: CsvRowError[] }> {
    const { rows, ...csv } = readEmployeeCsv(bytes);
    const plan = planCsvImport(rows, await store.csvImports.directory(organizationId), missing);
    const errors = [...csv.shapeErrors, ...plan.errors].sort((a, b) => a.line - b.line);
    // Only the count of rows is used past the plan: the rows themselves are let go before the response or the writes.
    return { csv: { ...csv, rowCount: rows.length }, plan: { ...plan, errors }, errors };
  }

  return {
    async preview(organizationId: string, createdBy: string, bytes: Buffer, options: { missing: 'keep' | 'deactivate'; fileName?: string | undefined }): Promise<CsvImportPreview> {
      const { csv, plan, errors } = await planFor(organizationId, bytes, options.missing);
      const id = randomUUID();
      const expiresAt = new Date(Date.parse(store.now()) + PREVIEW_LIFETIME_MS).toISOString();
      await store.csvImports.savePreview({ id, organizationId, fileSha256: sha256(bytes), planDigest: planDigest(plan), missing: options.missing, hasErrors: errors.length > 0, createdBy, expiresAt });
      const headerOf = (field: string | null) => csv.mapping.columns.find((c) => c.field === field)?.header ?? null;
      const entries = (changes: PlannedChange[]) => changes.slice(0, LIST_CAP).map((c) => ({ line: c.line, email: c.email, changedFields: c.changedFields }));
      return {
        id,
        fileName: options.fileName ?? null,
        rows: csv.rowCount + csv.shapeErrors.length,
        delimiter: csv.delimiter,
        columns: csv.mapping.columns,
        ignoredColumns: csv.mapping.ignored,
        missing: options.missing,
        errors: errors.slice(0, LIST_CAP).map((e) => ({ line: e.line, email: e.email, column: headerOf(e.field), code: e.code, message: e.message })),
        errorCount: errors.length,
        counts: { created: plan.create.length, updated: plan.update.length, reactivated: plan.reactivate.length, deactivated: plan.deactivate.length, unchanged: plan.unchanged },
        changes: { created: entries(plan.create), updated: entries(plan.update), reactivated: entries(plan.reactivate), deactivated: entries(plan.deactivate) },
        truncated: errors.length > LIST_CAP || [plan.create, plan.update, plan.reactivate, plan.deactivate].some((list) => list.length > LIST_CAP),
        canApply: errors.length === 0,
        expiresAt,
      };
    },

    /** Applies a preview with the same file, only if the directory would change exactly as the preview showed. */
    async apply(organizationId: string, previewId: string | undefined, bytes: Buffer): Promise<SyncRun> {
      const preview = previewId ? await store.csvImports.preview(organizationId, previewId) : undefined;
      if (!preview) throw new ApiProblem(404, 'CSV_PREVIEW_NOT_FOUND', 'This import preview does not exist. Upload the file again to preview it.');
      if (preview.appliedAt) throw new ApiProblem(409, 'CSV_PREVIEW_APPLIED', 'This import was already applied. Open the sync history to see what it changed.');
      if (Date.parse(preview.expiresAt) <= Date.parse(store.now())) throw new ApiProblem(410, 'CSV_PREVIEW_EXPIRED', 'This preview is more than 30 minutes old. Upload the file again to preview it.');
      if (preview.hasErrors) throw new ApiProblem(422, 'CSV_PREVIEW_HAS_ERRORS', 'The preview found errors in the file: fix the rows it lists, then upload the file again.');
      if (sha256(bytes) !== preview.fileSha256) throw new ApiProblem(409, 'CSV_PREVIEW_OTHER_FILE', 'This is not the file that was previewed. Preview this file first.');
      const { csv, plan } = await planFor(organizationId, bytes, preview.missing);
      if (planDigest(plan) !== preview.planDigest) {
        throw new ApiProblem(409, 'CSV_PREVIEW_STALE', 'The directory changed since this preview (a sync ran, or someone else imported). Preview the file again to see what applying it would do now.');
      }

      const { run, created } = await store.activeRuns.createUnlessActive({ organizationId, trigger: 'csv', mode: 'full', dryRun: false });
      if (!created || !(await store.activeRuns.claim(run.id))) {
        throw new ApiProblem(409, 'SYNC_RUNNING', 'A sync is running: the import waits for it. Preview the file again once the sync has finished.');
      }
      const counts = { created: plan.create.length, updated: plan.update.length, deactivated: plan.deactivate.length, reactivated: plan.reactivate.length, unchanged: plan.unchanged, skipped: 0 };
      try {
        await store.transaction(async (t) => {
          if (!(await t.csvImports.markApplied(preview.id, run.id))) throw new ApiProblem(409, 'CSV_PREVIEW_APPLIED', 'This import was just applied by someone else. Open the sync history to see what it changed.');
          const at = store.now();
          const changes = [...plan.create, ...plan.update, ...plan.reactivate, ...plan.deactivate];
          const ids = await t.csvImports.write(organizationId, changes, at);
          const log: NewEmployeeChangeEntry[] = changes.map((change, i) => {
            const action = i < plan.create.length ? 'created' : i < plan.create.length + plan.update.length ? 'updated' : i < changes.length - plan.deactivate.length ? 'reactivated' : 'deactivated';
            return {
              employeeId: ids[i]!,
              entraObjectId: null,
              email: change.email,
              action,
              reason: action === 'deactivated' ? (change.line === null ? 'missing from the imported CSV file' : `marked inactive on line ${change.line} of the imported CSV file`) : null,
              changedFields: action === 'updated' ? change.changedFields : null,
            };
          });
          await t.changes.append(organizationId, run.id, log, at);
          await t.runs.transition(run.id, 'running', { status: 'succeeded', phase: 'done', counts, finishedAt: at, progress: { usersRead: csv.rowCount, pages: 0, graphRequests: 0 } });
        });
      } catch (error) {
        // The person learns that nothing was changed and what to do; the cause goes to the log with the problem (see the route).
        const problem = error instanceof ApiProblem ? error : Object.assign(new ApiProblem(500, 'CSV_IMPORT_FAILED', 'The import could not be written, so nothing was changed. Apply it again; if it fails again, preview the file again.'), { cause: error });
        const message = error instanceof ApiProblem ? `${problem.detail} Nothing was changed.` : problem.detail;
        await store.runs.transition(run.id, 'running', { status: 'failed', finishedAt: store.now(), error: { code: problem.code, message } });
        throw problem;
      }
      // A large import: the next sync's lookups are planned on statistics that know these rows (a no-op on SQLite).
      await store.employees.refreshPlannerStatistics(counts.created + counts.updated + counts.reactivated + counts.deactivated).catch(() => undefined);
      return (await store.runs.get(run.id))!;
    },
  };
}
