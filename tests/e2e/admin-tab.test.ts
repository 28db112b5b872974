import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { repositoryRoot } from '../support/dev-certificate-path';
import { chromiumInstalled, launchChromium, seriousAccessibilityViolations } from './support/browser';
import { startProduct, type RunningProduct } from './support/running-product';

const screenshots = path.join(repositoryRoot, 'tests', 'e2e', 'screenshots');
const admin = 'admin@contoso.com';

/**
 * The guide's journey in a real browser against the product as `npm start` runs it: sign
 * in with MSAL on the emulator's page, connect on its consent page, choose a group with
 * nested groups, save and sync, find a synced employee, preview, read the history, and
 * approve a run the deletion guard held. No token or command is typed by hand.
 */
(chromiumInstalled ? describe : describe.skip)('the admin tab in a browser', () => {
  let product: RunningProduct;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  /** Anything the tab's Content-Security-Policy refused, wherever the browser reports it. */
  const policyViolations: string[] = [];

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    product = await startProduct();
    browser = await launchChromium(product.dataDir);
    // Reduced motion: Fluent then skips its fade-ins, so accessibility checks see the colours a person sees, not a frame of an animation.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
    // Chrome reports what a Content-Security-Policy refused as a DOM event, not on the console: this makes it a console error.
    // (An init script comes through the DevTools protocol, so the policy itself does not stop it.)
    await context.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (event) => console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`)),
    );
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) policyViolations.push(`${message.text()} (${message.location().url ?? ''})`);
      // Only the tab's own errors count: the emulator's sign-in pages are Microsoft's stand-in, and outside
      // Teams teams-js still asks Microsoft's CDN for its valid domains (this machine has no internet).
      const where = message.location().url ?? '';
      if (message.type() === 'error' && where.startsWith(product.apiUrl) && !/ERR_NAME_NOT_RESOLVED|validDomains/.test(message.text())) consoleErrors.push(`${message.text()} (${where})`);
    });
  }, 200_000);

  afterAll(async () => {
    await browser?.close();
    await product?.stop();
  });

  const expectAccessible = async (screen: string) => {
    const violations = await seriousAccessibilityViolations(page);
    expect({ screen, violations }).toEqual({ screen, violations: [] });
  };

  it('signs in with a Microsoft work account on the sign-in page, and lands on the dashboard', async () => {
    const served = await page.goto(`${product.apiUrl}/`);
    // The whole journey runs under the tab's policy: only Teams and Microsoft 365 may frame it, only its own scripts run.
    expect(served?.headers()['content-security-policy']).toMatch(/frame-ancestors [^;]*https:\/\/teams\.microsoft\.com/);
    expect(served?.headers()['content-security-policy']).toMatch(/script-src 'self';/);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.waitForURL(`${product.emulatorUrl}/**`);
    await page.fill('#username', admin);
    await page.click('#idSIButton9');
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.getByTestId('active-employees').waitFor();
    expect(await page.getByTestId('active-employees').textContent()).toBe('0');
    await expectAccessible('dashboard');
  });

  it('connects Microsoft 365 through the admin-consent page and comes back connected', async () => {
    await page.getByRole('button', { name: 'Set up Microsoft Users Sync' }).click();
    await page.getByRole('dialog', { name: 'Microsoft Users Sync' }).waitFor();
    await expectAccessible('Microsoft Users Sync, not connected');
    await page.getByRole('button', { name: 'Connect to Microsoft 365' }).click();
    await page.waitForURL(`${product.emulatorUrl}/**`);
    expect(await page.locator('#permissions li').count()).toBeGreaterThanOrEqual(4);
    await page.fill('#username', admin);
    await page.click('#accept');
    await page.getByText('Users Sync is now connected to your Entra ID directory').waitFor();
    expect(await page.getByTestId('connected-tenant').textContent()).toContain('Contoso');
  });

  it('chooses the arsen group, nested groups included, saves and follows the sync to its result', async () => {
    await page.getByLabel('Users from one or several Entra groups, including nested groups').check();
    await page.getByRole('combobox', { name: 'Search groups' }).fill('arsen');
    await page.getByRole('option', { name: /^arsen/ }).first().click();
    await page.getByRole('listbox', { name: 'Chosen groups' }).getByRole('option', { name: 'arsen' }).waitFor();
    await page.getByRole('button', { name: 'Save changes and sync users' }).click();
    const panel = page.getByTestId('run-panel');
    await panel.waitFor();
    await page.locator('[data-testid="run-panel"][data-run-status="succeeded"]').waitFor({ timeout: 90_000 });
    expect(await panel.getByTestId('run-outcome').textContent()).toMatch(/up to date with Microsoft Entra ID/);
    const created = Number(await panel.locator('[data-count="created"]').textContent());
    expect(created).toBeGreaterThan(10);
    await expectAccessible('Microsoft Users Sync, sync finished');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('active-employees').filter({ hasText: String(created) }).waitFor();
  });

  it('finds a synced employee and reads their change log', async () => {
    await page.getByRole('tab', { name: 'Employees' }).click();
    const firstName = (await page.getByRole('table', { name: 'Employees' }).getByRole('link').first().textContent())!;
    await page.getByRole('searchbox', { name: 'Search' }).fill(firstName);
    await page.getByRole('status').filter({ hasText: /of \d+/ }).waitFor();
    await expectAccessible('employees');
    await page.getByRole('link', { name: firstName }).first().click();
    await page.getByRole('heading', { name: firstName, level: 1 }).waitFor();
    const log = page.getByRole('table', { name: 'Change log' });
    await log.waitFor();
    expect(await log.textContent()).toContain('Created');
    // A group scope says through which groups, nested ones included, the person is synced.
    expect(await page.getByRole('list', { name: 'In scope through' }).textContent()).toMatch(/^arsen/);
    await expectAccessible('employee');
  });

  it('answers "Someone missing?" for a person outside the chosen group', async () => {
    await page.getByRole('tab', { name: 'Someone missing?' }).click();
    await page.getByLabel('Email or name').fill(admin);
    await page.getByRole('button', { name: 'Find out' }).click();
    const answer = page.getByTestId('presence-answer');
    await answer.waitFor();
    expect(await answer.getAttribute('data-verdict')).toMatch(/outside_scope|synced/);
    await page.getByRole('button', { name: 'Find out', disabled: false }).waitFor();
    await expectAccessible('someone missing');
  });

  it('previews the next sync without changing anyone', async () => {
    await page.goto(`${product.apiUrl}/#/microsoft`);
    await page.getByRole('button', { name: 'Preview changes' }).click();
    await page.getByText('Preview: nothing was changed').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('run-panel').locator('[data-count="created"]').textContent()).toBe('0');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('shows the sync history with its charts, loaded when the page opens', async () => {
    const chartRequests: string[] = [];
    page.on('request', (request) => /history-page/.test(request.url()) && chartRequests.push(request.url()));
    await page.getByRole('tab', { name: 'Sync history' }).click();
    await page.getByRole('table', { name: 'Sync runs' }).waitFor();
    await page.getByTestId('changes-chart').locator('svg').first().waitFor();
    // After a single applied sync the trend is one figure, said in words; from the second on, a line.
    const trend = page.getByTestId('employees-chart');
    await trend.locator('svg').first().or(trend.getByTestId('employees-after-first-sync')).waitFor();
    expect(chartRequests.length).toBe(1);
    await expectAccessible('sync history');
  });

  it('looks right on every screen in the light, dark and high-contrast themes, and at 320 px', async () => {
    const screens = [
      ['dashboard', '#/'],
      ['microsoft', '#/microsoft'],
      ['employees', '#/employees'],
      ['missing', '#/missing'],
      ['history', '#/history'],
    ] as const;
    const themes = [
      ['light', { colorScheme: 'light', forcedColors: 'none' }],
      ['dark', { colorScheme: 'dark', forcedColors: 'none' }],
      ['contrast', { colorScheme: 'dark', forcedColors: 'active' }],
    ] as const;
    for (const [theme, media] of themes) {
      await page.emulateMedia({ ...media, reducedMotion: 'reduce' });
      for (const [name, hash] of screens) {
        await page.goto(`${product.apiUrl}/${hash}`);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        await page.waitForLoadState('networkidle');
        await page.screenshot({ path: path.join(screenshots, `${name}-${theme}.png`), fullPage: true });
        if (theme !== 'light') await expectAccessible(`${name} (${theme})`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light', forcedColors: 'none', reducedMotion: 'reduce' });
    await page.setViewportSize({ width: 320, height: 720 });
    for (const [name, hash] of screens) {
      await page.goto(`${product.apiUrl}/${hash}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.waitForLoadState('networkidle');
      // Nothing wider than a Teams tab on a phone: no sideways scrolling of the page.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      await page.screenshot({ path: path.join(screenshots, `${name}-320px.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('holds a sync that would deactivate almost everyone, and applies it once approved from the banner', async () => {
    await page.goto(`${product.apiUrl}/#/microsoft`);
    await page.getByRole('button', { name: /More options/ }).click();
    await page.getByLabel('Never synchronize').fill('contoso.com');
    await page.getByRole('button', { name: 'Save changes and sync users' }).click();
    await page.locator('[data-testid="run-panel"][data-run-status="awaiting_approval"]').waitFor({ timeout: 90_000 });
    await page.getByRole('button', { name: 'Close' }).click();
    const banner = page.getByTestId('held-run-banner');
    await banner.waitFor();
    await page.screenshot({ path: path.join(screenshots, 'held-run-light.png'), fullPage: true });
    await banner.getByRole('button', { name: 'Review' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve this sync?' });
    await dialog.getByRole('button', { name: /Would be deactivated/ }).waitFor();
    await expectAccessible('held run');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await banner.waitFor({ state: 'detached' });
    await page.getByTestId('active-employees').filter({ hasText: /^0$/ }).waitFor({ timeout: 60_000 });
    expect(consoleErrors).toEqual([]);
    expect(policyViolations).toEqual([]);
  });
});
