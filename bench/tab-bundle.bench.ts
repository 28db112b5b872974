// The admin tab's download: the JavaScript a browser must fetch before the first screen
// (initial), and what loads later (the history charts), gzip-compressed as a server
// would send it. The baseline, built in the same run with the same Vite settings, is the
// least any Fluent UI tab costs: React, FluentProvider with a Teams theme and one Button.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const root = path.resolve(__dirname, '..');
const tabs = path.join(root, 'tabs');

interface BundleSize {
  initialGzipBytes: number;
  lazyGzipBytes: number;
  files: Array<{ file: string; gzipBytes: number; initial: boolean }>;
}

/** Sizes a Vite build: the chunks index.html loads (and their static imports) are initial; the rest load on demand. */
function measure(dist: string): BundleSize {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const assets = path.join(dist, 'assets');
  const initialNames = new Set<string>();
  const queue = [...html.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (initialNames.has(name)) continue;
    initialNames.add(name);
    const code = readFileSync(path.join(assets, name), 'utf8');
    // Static imports between chunks (`import … from "./x.js"`); `import("./x.js")` is lazy and not followed.
    for (const m of code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w${},*\s]+from\s*)?["']\.\/([^"']+\.js)["']/g)) queue.push(m[1]!);
  }
  const files = readdirSync(assets)
    .filter((file) => file.endsWith('.js'))
    .map((file) => ({ file, gzipBytes: gzipSync(readFileSync(path.join(assets, file)), { level: 9 }).length, initial: initialNames.has(file) }));
  const sum = (initial: boolean) => files.filter((f) => f.initial === initial).reduce((total, f) => total + f.gzipBytes, 0);
  return { initialGzipBytes: sum(true), lazyGzipBytes: sum(false), files };
}

/** Vite is an ES module; this script runs as CommonJS (bench/run.cjs), so it is loaded with a real dynamic import. */
type ViteBuild = (config: Record<string, unknown>) => Promise<unknown>;
const loadVite = () => (new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ build: ViteBuild }>)('vite');

async function buildBaseline(): Promise<string> {
  // Inside the repository (bench/results/tmp is ignored), so its imports resolve from the project's node_modules.
  const scratch = path.join(root, 'bench', 'results', 'tmp');
  mkdirSync(scratch, { recursive: true });
  const dir = mkdtempSync(path.join(scratch, 'baseline-tab-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><html><body><div id="root"></div><script type="module" src="./main.tsx"></script></body></html>');
  writeFileSync(
    path.join(dir, 'main.tsx'),
    `import { createRoot } from 'react-dom/client';
import { Button, FluentProvider, teamsLightTheme } from '@fluentui/react-components';
createRoot(document.getElementById('root')!).render(<FluentProvider theme={teamsLightTheme}><Button appearance="primary">Hello</Button></FluentProvider>);`,
  );
  const { build } = await loadVite();
  await build({ root: dir, logLevel: 'error', esbuild: { jsx: 'automatic' }, resolve: { alias: { react: path.join(root, 'node_modules/react') } }, build: { outDir: path.join(dir, 'dist'), emptyOutDir: true } });
  return dir;
}

async function main(): Promise<void> {
  const { build } = await loadVite();
  await build({ root: tabs, configFile: path.join(tabs, 'vite.config.mts'), logLevel: 'error' });
  const tab = measure(path.join(tabs, 'dist'));
  const baselineDir = await buildBaseline();
  const baseline = measure(path.join(baselineDir, 'dist'));
  rmSync(baselineDir, { recursive: true, force: true });
  const result = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    tab: { initialGzipKiB: +(tab.initialGzipBytes / 1024).toFixed(1), lazyGzipKiB: +(tab.lazyGzipBytes / 1024).toFixed(1), files: tab.files },
    baseline: { what: 'React + FluentProvider (Teams theme) + one Button', initialGzipKiB: +(baseline.initialGzipBytes / 1024).toFixed(1) },
    ratios: { initialToBaseline: +(tab.initialGzipBytes / baseline.initialGzipBytes).toFixed(2), lazyShareOfAll: +(tab.lazyGzipBytes / (tab.initialGzipBytes + tab.lazyGzipBytes)).toFixed(2) },
  };
  mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(root, 'bench', 'results', 'tab-bundle.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify({ tab: result.tab.initialGzipKiB, lazy: result.tab.lazyGzipKiB, baseline: result.baseline.initialGzipKiB, ratios: result.ratios })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
