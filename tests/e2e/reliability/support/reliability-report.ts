import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  /** A divergence found before and left for a decision (its test is marked test.failing): reported, not counted as lost. */
  known?: string;
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
    const lost = this.scenarios.reduce((n, s) => n + (s.known ? 0 : s.lost.length), 0);
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
        const differences = `${s.lost.length} differences: ${s.lost.slice(0, 5).join('; ')}`;
        const outcome = s.known ? `known divergence (${s.known}); ${differences}` : s.lost.length > 0 ? `**${differences}**` : s.outcome;
        return `| ${s.name} | ${faults} | ${runs} | ${outcome}${s.notes.length ? ` — ${s.notes.join('; ')}` : ''} |`;
      }),
      '',
    ];
    writeFileSync(path.join(reportDir, `${this.suite}.md`), lines.join('\n'));
    return writeSummary();
  }
}

/**
 * report/summary.md over every suite file's JSON in the folder (each test file writes its own
 * when it ends; the last one to end leaves the summary of all): faults injected, runs and how
 * they ended, and what was lost — which must be nothing.
 */
function writeSummary(): string {
  const suites = readdirSync(reportDir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(path.join(reportDir, name), 'utf8')) as { suite: string; durationMs: number; size: { name: string }; scenarios: ScenarioLine[] });
  const faults = new Map<string, number>();
  const runs = new Map<string, number>();
  const lost: string[] = [];
  const known: string[] = [];
  for (const suite of suites) {
    for (const scenario of suite.scenarios) {
      for (const [kind, n] of Object.entries(scenario.faults)) faults.set(kind, (faults.get(kind) ?? 0) + n);
      for (const run of scenario.runs) runs.set(run.status, (runs.get(run.status) ?? 0) + 1);
      if (scenario.known) known.push(`${suite.suite} / ${scenario.name}: ${scenario.known} (${scenario.lost.length} differences)`);
      else for (const difference of scenario.lost) lost.push(`${suite.suite} / ${scenario.name}: ${difference}`);
    }
  }
  const scenarios = suites.flatMap((s) => s.scenarios);
  const unfinished = scenarios.filter((s) => s.outcome === 'not finished').map((s) => s.name);
  const list = (m: Map<string, number>) => [...m.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  const lines = [
    '# Reliability suite: summary',
    '',
    `${scenarios.length} scenarios in ${suites.length} files (${suites.map((s) => `${s.suite} ${(s.durationMs / 1000).toFixed(0)} s, size ${s.size.name}`).join('; ')}).`,
    '',
    `- Faults injected: ${list(faults) || 'none'}`,
    `- Runs: ${list(runs) || 'none'}`,
    `- Scenarios that did not finish: ${unfinished.length === 0 ? 'none' : unfinished.join('; ')}`,
    `- Lost or wrong compared with a fault-free run: ${lost.length === 0 ? 'nothing' : `${lost.length}`}`,
    ...lost.map((l) => `  - ${l}`),
    `- Known divergences left for a decision (tests marked test.failing): ${known.length === 0 ? 'none' : ''}`,
    ...known.map((k) => `  - ${k}`),
    '',
    'Per file: the other .md files here; every run and count: the .json files.',
    '',
  ];
  const file = path.join(reportDir, 'summary.md');
  writeFileSync(file, lines.join('\n'));
  return file;
}

export class ScenarioRecord {
  constructor(private readonly line: ScenarioLine) {}

  fault(kind: string, count = 1): void {
    this.line.faults[kind] = (this.line.faults[kind] ?? 0) + count;
  }

  run(what: string, run: Pick<SyncRun, 'status' | 'mode' | 'error'>): void {
    this.line.runs.push({ what, status: run.status, mode: run.mode, error: run.error?.code ?? null });
  }

  /** This scenario shows a known, open divergence (its test is test.failing): listed apart from what faults lost. */
  knownDivergence(reason: string): void {
    this.line.known = reason;
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
