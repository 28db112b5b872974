import {
  Body1, Button, Caption1, Field, MessageBar, MessageBarBody, MessageBarTitle, Radio, RadioGroup, Spinner, Subtitle2, Table, TableBody, TableCell, TableHeader,
  TableHeaderCell, TableRow, makeStyles, tokens,
} from '@fluentui/react-components';
import { CSV_IMPORT_MAX_BYTES, routes, type CsvImportPreview, type SyncRun } from '@users-sync/api/contract';
import { useRef, useState } from 'react';
import { pathOf, problemFrom, type ApiClient, type ApiProblem } from '../../api/api-client';
import { useTab } from '../../api/api-context';
import { asProblem } from '../../api/use-resource';
import { navigate } from '../../shell/navigation';
import { PageHeading } from '../../shell/page-heading';
import { ProblemMessage } from '../../shell/problem-message';
import { RunCounts } from '../microsoft/run-summary';
import { downloadCsv } from '../employees/export-csv';

const useStyles = makeStyles({
  step: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, backgroundColor: tokens.colorNeutralBackground1, padding: tokens.spacingHorizontalL, borderRadius: tokens.borderRadiusMedium },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  tableWrap: { overflowX: 'auto' },
});

/** Sends the file's bytes to a CSV import route (the api reads them as application/octet-stream). */
async function upload<T>(api: ApiClient, path: string, file: Blob): Promise<T> {
  const response = await api.fetchRaw(path, { method: 'POST', headers: { 'content-type': 'application/octet-stream', accept: 'application/json' }, body: file });
  if (!response.ok) throw await problemFrom(response);
  return (await response.json()) as T;
}

const MAX_MB = CSV_IMPORT_MAX_BYTES / (1024 * 1024);

/** The CSV import wizard: upload, preview with row errors, apply, result. */
export function CsvImportPage() {
  const styles = useStyles();
  const { api, runsChanged } = useTab();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [missing, setMissing] = useState<'keep' | 'deactivate'>('keep');
  const [preview, setPreview] = useState<CsvImportPreview | null>(null);
  const [applied, setApplied] = useState<SyncRun | null>(null);
  const [busy, setBusy] = useState<'preview' | 'apply' | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const runPreview = async (chosen: File, mode: 'keep' | 'deactivate') => {
    setBusy('preview');
    setProblem(null);
    setPreview(null);
    setApplied(null);
    try {
      const path = `${pathOf(routes.previewCsvImport)}?missing=${mode}&fileName=${encodeURIComponent(chosen.name)}`;
      setPreview(await upload<CsvImportPreview>(api, path, chosen));
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(null);
    }
  };
  const choose = (chosen: File | undefined) => {
    if (!chosen) return;
    setFile(chosen);
    void runPreview(chosen, missing);
  };
  const apply = async () => {
    if (!file || !preview) return;
    setBusy('apply');
    setProblem(null);
    try {
      const answer = await upload<{ run: SyncRun }>(api, pathOf(routes.applyCsvImport, { previewId: preview.id }), file);
      setApplied(answer.run);
      runsChanged();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <PageHeading>Add employees manually</PageHeading>
      <div className={styles.step}>
        <Subtitle2 as="h2">1. Upload a CSV file</Subtitle2>
        <Body1>
          One row per employee. <b>Email</b> is required; first name, last name, department, job title, manager email, language, country, employee ID, office and company are optional. UTF-8, comma or semicolon, at most {MAX_MB} MB.
        </Body1>
        <div className={styles.row}>
          <Button onClick={() => void downloadCsv(api, pathOf(routes.csvImportTemplate), 'employees-template.csv').catch((error: unknown) => setProblem(asProblem(error)))}>Download the template</Button>
          <Button appearance="primary" disabled={busy !== null} onClick={() => input.current?.click()}>
            Choose a CSV file
          </Button>
          <input ref={input} type="file" accept=".csv,text/csv" hidden data-testid="csv-file" onChange={(event) => choose(event.target.files?.[0])} />
          {file && <Caption1>{file.name}</Caption1>}
        </div>
        <Field label="People in the directory but missing from the file">
          <RadioGroup
            value={missing}
            onChange={(_e, data) => {
              const mode = data.value as 'keep' | 'deactivate';
              setMissing(mode);
              if (file) void runPreview(file, mode);
            }}
          >
            <Radio value="keep" label="Stay as they are" />
            <Radio value="deactivate" label="Leave (they are deactivated; Microsoft 365 employees are never touched)" />
          </RadioGroup>
        </Field>
      </div>
      {busy === 'preview' && <Spinner label="Reading the file…" />}
      {problem && <ProblemMessage problem={problem} title={busy === 'apply' || preview ? 'The import could not be applied' : 'The file could not be read'} />}
      {preview && <PreviewStep preview={preview} busy={busy} onApply={() => void apply()} applied={applied} />}
      {applied && (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Import applied</MessageBarTitle>
            <RunCounts counts={applied.counts} /> It is in the sync history as a CSV import.
            <div>
              <Button appearance="transparent" onClick={() => navigate({ name: 'employees' })}>
                See employees
              </Button>
            </div>
          </MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}

function PreviewStep({ preview, busy, onApply, applied }: { preview: CsvImportPreview; busy: 'preview' | 'apply' | null; onApply: () => void; applied: SyncRun | null }) {
  const styles = useStyles();
  const { counts } = preview;
  const changes = counts.created + counts.updated + counts.reactivated + counts.deactivated;
  return (
    <div className={styles.step}>
      <Subtitle2 as="h2">2. Preview</Subtitle2>
      <Body1 data-testid="preview-counts">
        {preview.rows} rows · {counts.created} to create · {counts.updated} to update · {counts.reactivated} to reactivate · {counts.deactivated} to deactivate · {counts.unchanged} unchanged
      </Body1>
      {preview.ignoredColumns.length > 0 && <Caption1>Columns not imported: {preview.ignoredColumns.join(', ')}.</Caption1>}
      {preview.errorCount > 0 && (
        <>
          <MessageBar intent="error" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>
                {preview.errorCount} row{preview.errorCount === 1 ? '' : 's'} to fix
              </MessageBarTitle>
              Nothing is imported while a row is wrong. Fix these rows in your file, then choose it again.
            </MessageBarBody>
          </MessageBar>
          <div className={styles.tableWrap}>
            <Table aria-label="Rows to fix" size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Line</TableHeaderCell>
                  <TableHeaderCell>Email</TableHeaderCell>
                  <TableHeaderCell>Problem</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {preview.errors.map((error) => (
                  <TableRow key={`${error.line}-${error.code}-${error.column ?? ''}`}>
                    <TableCell>{error.line}</TableCell>
                    <TableCell>{error.email ?? '—'}</TableCell>
                    <TableCell>
                      {error.column ? `${error.column}: ` : ''}
                      {error.message}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        </>
      )}
      {preview.canApply && changes === 0 && <Body1>The directory already matches this file: nothing to change.</Body1>}
      {preview.canApply && changes > 0 && !applied && (
        <div className={styles.row}>
          <Button appearance="primary" disabled={busy !== null} onClick={onApply}>
            {busy === 'apply' ? 'Applying…' : `Apply ${changes} change${changes === 1 ? '' : 's'}`}
          </Button>
          <Caption1>All or nothing: if anything fails, nothing changes.</Caption1>
        </div>
      )}
    </div>
  );
}
