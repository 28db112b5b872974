import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumInstalled = existsSync(chromiumPath);

/**
 * Debian's Chromium, headless, trusting the emulator's certificate by its public key
 * (`--ignore-certificate-errors-spki-list`) and nothing else: every other certificate
 * error still fails, as in a person's browser that trusts the development CA.
 */
export async function launchChromium(dataDir: string): Promise<Browser> {
  const leaf = new X509Certificate(readFileSync(path.join(dataDir, 'certs', 'localhost.pem')));
  const spki = createHash('sha256').update(leaf.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', `--ignore-certificate-errors-spki-list=${spki}`],
  });
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; html?: string; failureSummary?: string }>;
}

/** axe-core's serious and critical violations on what the page shows now. */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, not as an inline <script>: the tab's Content-Security-Policy refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${axeSource}\n;undefined`);
  const violations = await page.evaluate(async () => {
    // Fluent's focus management (tabster) puts invisible sentinels at the edges of focus
    // zones; they hand the focus on as soon as they get it, so axe's aria-hidden-focus
    // does not apply to them.
    // Behind an open modal (the drawer, a dialog) the page is inert and dimmed by the
    // backdrop: only the modal is what a person can read and reach.
    const modal = document.querySelector('[role="dialog"][aria-modal="true"], [role="alertdialog"]');
    const context = { ...(modal ? { include: [[modal.id ? `#${CSS.escape(modal.id)}` : '[role="dialog"][aria-modal="true"]']] } : {}), exclude: [['[data-tabster-dummy]']] };
    const result = await (window as unknown as { axe: { run: (context: object, options: object) => Promise<{ violations: AxeViolation[] }> } }).axe.run(context, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, html: n.html?.slice(0, 200), failureSummary: n.failureSummary })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
