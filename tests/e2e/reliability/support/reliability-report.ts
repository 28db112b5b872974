import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SyncRun } from '@users-sync/api/store/index';
import { suiteSize } from './suite-size';

/** Where each suite file leaves its report (ignored by git). */
export const reportDir = process.env.RELIABILITY_REPORT_DIR ?? path.join(__dirname, '..', 'report');

interface RunLine {
  what: string;
  status: string;
  mode: string;
  error: string | null;
}

interface ScenarioLine {
  name: string;
  faults: Record<string, number>;
  runs: RunLine[];
  outcome: 'directory as a fault-free run' | 'differences found' | 'not finished';
  lost: string[];
  notes: string[];
}

/**
 * The suite's short account of itself: per scenario, the faults injected, the runs and how
 * they ended, and whatever the directory lost or got wrong compared with a fault-free run
 * (which must be nothing). Written as JSON and as Markdown when the file's tests end.
 */
export class ReliabilityReport {
  private readonly scenarios: ScenarioLine[] = [];
  private readonly started = Date.now();

  constructor(private readonly suite: string) {}

  scenario(name: string): ScenarioRecord {
    const line: ScenarioLine = { name, faults: {}, runs: [], outcome: 'not finished', lost: [], notes: [] };
    this.scenarios.push(line);
    return new ScenarioRecord(line);
  }

  /** Writes report/<suite>.json and .md; answers the Markdown file's path. */
  write(): string {
    mkdirSync(reportDir, { recursive: true });
    const durationMs = Date.now() - this.started;
    const summary = { suite: this.suite, size: suiteSize, finishedAt: new Date().toISOString(), durationMs, scenarios: this.scenarios };
    writeFileSync(path.join(reportDir, `${this.suite}.json`), `${JSON.stringify(summary, null, 2)}\n`);
    const lost = this.scenarios.reduce((n, s) => n + s.lost.length, 0);
    const lines = [
      `# Reliability: ${this.suite}`,
      '',
      `Size ${suiteSize.name} (${suiteSize.users} users), ${this.scenarios.length} scenarios in ${(durationMs / 1000).toFixed(1)} s; differences from a fault-free run: ${lost}.`,
      '',
      '| scenario | faults injected | runs | outcome |',
      '| --- | --- | --- | --- |',
      ...this.scenarios.map((s) => {
        const faults = Object.entries(s.faults).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || '—';
        const runs = s.runs.map((r) => `${r.what}: ${r.status}${r.error ? ` (${r.error})` : ''}`).join('; ');
        const outcome = s.lost.length > 0 ? `**${s.lost.length} differences**: ${s.lost.slice(0, 5).join('; ')}` : s.outcome;
        return `| ${s.name} | ${faults} | ${runs} | ${outcome}${s.notes.length ? ` — ${s.notes.join('; ')}` : ''} |`;
      }),
      '',
    ];
    const file = path.join(reportDir, `${this.suite}.md`);
    writeFileSync(file, lines.join('\n'));
    return file;
  }
}

export class ScenarioRecord {
  constructor(private readonly line: ScenarioLine) {}

  fault(kind: string, count = 1): void {
    this.line.faults[kind] = (this.line.faults[kind] ?? 0) + count;
  }

  run(what: string, run: Pick<SyncRun, 'status' | 'mode' | 'error'>): void {
    this.line.runs.push({ what, status: run.status, mode: run.mode, error: run.error?.code ?? null });
  }

  note(text: string): void {
    this.line.notes.push(text);
  }

  /** The comparison with the fault-free run: no differences is the only good outcome. */
  compared(differences: readonly string[]): void {
    this.line.lost = [...differences];
    this.line.outcome = differences.length === 0 ? 'directory as a fault-free run' : 'differences found';
  }
}
