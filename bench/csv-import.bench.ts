/**
 * CSV import benchmark: preview and apply of 100,000 rows (and the re-import of the same
 * file, which changes nothing), wall time, CPU time and peak RSS, on SQLite. The baseline,
 * measured in the same run, is csv-parse alone reading the same bytes: the figures are
 * ratios to it. The same import of half as many rows, into an organization of its own, says
 * whether the cost grows with the rows or faster (`growth`: CPU per row at the full size
 * over CPU per row at half; 1 is proportional). CPU time is what to compare on a shared
 * machine, where wall time follows the other processes.
 * Run: `node bench/run.cjs csv-import.bench.ts`; results in bench/results/csv-import.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createCsvImport } from '../api/src/http/csv-import/csv-import-service';
import { openStore } from '../api/src/store';

const ROWS = Number(process.env.CSV_BENCH_ROWS ?? 100_000);

async function measure<T>(work: () => Promise<T>): Promise<{ result: T; wallMs: number; cpuMs: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = performance.now();
  const cpu = process.cpuUsage();
  try {
    const result = await work();
    const used = process.cpuUsage(cpu);
    return { result, wallMs: Math.round(performance.now() - start), cpuMs: Math.round((used.user + used.system) / 1000), peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1e6) };
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
    const csvImport = createCsvImport(store);
    const organization = await store.organizations.create('CSV bench');
    const bytes = file(ROWS);

    const baseline = await measure(async () => (parse(bytes, { bom: true, columns: true, skip_empty_lines: true }) as unknown[]).length);
    const preview = await measure(() => csvImport.preview(organization.id, 'bench@bench.example', bytes, { missing: 'keep' }));
    const apply = await measure(() => csvImport.apply(organization.id, preview.result.id, bytes));
    const again = await measure(() => csvImport.preview(organization.id, 'bench@bench.example', bytes, { missing: 'keep' }));
    // Then half the rows, in an organization of its own (after, so the peak memory above is the full import's alone):
    // its cost per row is the yardstick for growth.
    const half = await store.organizations.create('CSV bench, half');
    const halfBytes = file(ROWS / 2);
    const halfPreview = await measure(() => csvImport.preview(half.id, 'bench@bench.example', halfBytes, { missing: 'keep' }));
    const halfApply = await measure(() => csvImport.apply(half.id, halfPreview.result.id, halfBytes));
    const halfAgain = await measure(() => csvImport.preview(half.id, 'bench@bench.example', halfBytes, { missing: 'keep' }));
    if (apply.result.counts.created !== ROWS || again.result.counts.unchanged !== ROWS) throw new Error('the import did not create every row, or its re-import changed something');

    const ratio = (ms: number) => Math.round((ms / Math.max(1, baseline.wallMs)) * 10) / 10;
    const cpuRatio = (ms: number) => Math.round((ms / Math.max(1, baseline.cpuMs)) * 10) / 10;
    const growth = (full: number, halfSize: number) => Math.round((full / ROWS / (Math.max(1, halfSize) / (ROWS / 2))) * 100) / 100;
    const results = {
      machine: { cpus: os.cpus().length, node: process.version },
      at: new Date().toISOString(),
      rows: ROWS,
      fileMb: Math.round((bytes.length / 1e6) * 10) / 10,
      baselineParse: { wallMs: baseline.wallMs, cpuMs: baseline.cpuMs, peakRssMb: baseline.peakRssMb },
      preview: { wallMs: preview.wallMs, cpuMs: preview.cpuMs, peakRssMb: preview.peakRssMb, timesBaseline: ratio(preview.wallMs), cpuTimesBaseline: cpuRatio(preview.cpuMs), growth: growth(preview.cpuMs, halfPreview.cpuMs) },
      apply: { wallMs: apply.wallMs, cpuMs: apply.cpuMs, peakRssMb: apply.peakRssMb, timesBaseline: ratio(apply.wallMs), cpuTimesBaseline: cpuRatio(apply.cpuMs), growth: growth(apply.cpuMs, halfApply.cpuMs), created: apply.result.counts.created },
      reimportPreview: { wallMs: again.wallMs, cpuMs: again.cpuMs, peakRssMb: again.peakRssMb, timesBaseline: ratio(again.wallMs), cpuTimesBaseline: cpuRatio(again.cpuMs), growth: growth(again.cpuMs, halfAgain.cpuMs), unchanged: again.result.counts.unchanged },
      halfSize: { rows: ROWS / 2, previewCpuMs: halfPreview.cpuMs, applyCpuMs: halfApply.cpuMs, reimportPreviewCpuMs: halfAgain.cpuMs },
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
