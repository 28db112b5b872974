/**
 * CSV import benchmark: preview and apply of 100,000 rows (and the re-import of the same
 * file, which changes nothing), wall time and peak RSS, on SQLite. The baseline, measured
 * in the same run, is csv-parse alone reading the same bytes: the figures are ratios to it.
 * Run: `node bench/run.cjs csv-import.bench.ts`; results in bench/results/csv-import.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createCsvImport } from '../api/src/http/csv-import/csv-import-service';
import { openStore } from '../api/src/store';

const ROWS = Number(process.env.CSV_BENCH_ROWS ?? 100_000);

async function measure<T>(work: () => Promise<T>): Promise<{ result: T; wallMs: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = performance.now();
  try {
    const result = await work();
    return { result, wallMs: Math.round(performance.now() - start), peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1e6) };
  } finally {
    clearInterval(timer);
  }
}

function file(rows: number): Buffer {
  const lines = ['\uFEFFEmail,First name,Last name,Department,Job title,Office,Country,Manager email'];
  for (let i = 0; i < rows; i += 1) {
    lines.push(`person${i}@bench.example,First${i},"Last, ${i}",Department ${i % 40},Job ${i % 90},Office ${i % 12},FR,${i === 0 ? '' : `person${Math.floor(i / 10)}@bench.example`}`);
  }
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-csv-bench-'));
  const store = await openStore({ dataDir });
  try {
    const organization = await store.organizations.create('CSV bench');
    const csvImport = createCsvImport(store);
    const bytes = file(ROWS);

    const baseline = await measure(async () => (parse(bytes, { bom: true, columns: true, skip_empty_lines: true }) as unknown[]).length);
    const preview = await measure(() => csvImport.preview(organization.id, 'bench@bench.example', bytes, { missing: 'keep' }));
    const apply = await measure(() => csvImport.apply(organization.id, preview.result.id, bytes));
    const again = await measure(() => csvImport.preview(organization.id, 'bench@bench.example', bytes, { missing: 'keep' }));
    if (apply.result.counts.created !== ROWS || again.result.counts.unchanged !== ROWS) throw new Error('the import did not create every row, or its re-import changed something');

    const ratio = (ms: number) => Math.round((ms / Math.max(1, baseline.wallMs)) * 10) / 10;
    const results = {
      machine: { cpus: os.cpus().length, node: process.version },
      at: new Date().toISOString(),
      rows: ROWS,
      fileMb: Math.round((bytes.length / 1e6) * 10) / 10,
      baselineParse: { wallMs: baseline.wallMs, peakRssMb: baseline.peakRssMb },
      preview: { wallMs: preview.wallMs, peakRssMb: preview.peakRssMb, timesBaseline: ratio(preview.wallMs) },
      apply: { wallMs: apply.wallMs, peakRssMb: apply.peakRssMb, timesBaseline: ratio(apply.wallMs), created: apply.result.counts.created },
      reimportPreview: { wallMs: again.wallMs, peakRssMb: again.peakRssMb, timesBaseline: ratio(again.wallMs), unchanged: again.result.counts.unchanged },
    };
    mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    writeFileSync(path.join(__dirname, 'results', 'csv-import.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
