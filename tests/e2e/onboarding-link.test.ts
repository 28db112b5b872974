import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { request as playwrightRequest, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repositoryRoot } from '../support/dev-certificate-path';
import { chromiumInstalled, launchChromium, seriousAccessibilityViolations } from './support/browser';
import { startProduct, type RunningProduct } from './support/running-product';

const screenshots = path.join(repositoryRoot, 'tests', 'e2e', 'screenshots');

/**
 * "Share Onboarding Link" in real browsers against the product as `npm start` runs it. The
 * account owner, who is not a Microsoft admin, shares a link from the tab; the Microsoft
 * admin opens it in a fresh browser — no Teams, no Users Sync account — signs in with
 * Microsoft as the link's email, connects on the admin-consent page, chooses who to sync,
 * saves and syncs, and sees the result; the console is then read-only. A revoked, an
 * expired and an unknown link each show a page that says so and whom to ask.
 */
(chromiumInstalled ? describe : describe.skip)('an onboarding link in a browser, without Teams and without an account', () => {
  let product: RunningProduct;
  let browser: Browser;
  let owner: Page;
  const consoleErrors: string[] = [];
  let domain: string;
  let ownerEmail: string;
  let microsoftAdmin: string;
  let linkUrl: string;
  /** Links to two other admins, shared before Microsoft 365 is connected: one the owner revokes, one that runs out. */
  let toRevoke: { email: string; url: string };
  let toExpire: { email: string; url: string };

  /** A browser context of its own: nothing shared with the owner's (no cookies, no storage, no sign-in). */
  const freshPage = async (viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('console', (message) => {
      const where = message.location().url ?? '';
      // A refused link is answered 4xx by the api, which the browser logs as a failed resource: that is the point of those pages.
      if (message.type() === 'error' && where.startsWith(product.apiUrl) && !/ERR_NAME_NOT_RESOLVED|validDomains|status of 4\d\d/.test(message.text())) consoleErrors.push(`${message.text()} (${where})`);
    });
    return { context, page };
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
  const expectAccessible = async (page: Page, screen: string) => {
    const violations = await seriousAccessibilityViolations(page);
    expect({ screen, violations }).toEqual({ screen, violations: [] });
  };
  const signInOnMicrosoftPage = async (page: Page, email: string) => {
    await page.waitForURL(`${product.emulatorUrl}/**`);
    await page.fill('#username', email);
    await page.click('#idSIButton9');
  };
  const shareLink = async (email: string): Promise<string> => {
    await owner.goto(`${product.apiUrl}/#/microsoft`);
    await owner.getByRole('button', { name: 'Share Onboarding Link' }).click();
    const dialog = owner.getByRole('dialog', { name: 'Share Onboarding Link' });
    await dialog.getByLabel(/Microsoft admin’s email/).fill(email);
    await dialog.getByRole('button', { name: 'Generate Link' }).click();
    const url = await dialog.getByLabel(/Onboarding link/).inputValue();
    return url;
  };
  const closeShareDialog = () => owner.getByRole('dialog', { name: 'Share Onboarding Link' }).getByRole('button', { name: 'Done' }).click();

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    product = await startProduct();
    browser = await launchChromium(product.dataDir);
    // The owner is a member of the demo tenant without any Microsoft role (the emulator's control API makes them).
    const control = await playwrightRequest.newContext({ baseURL: product.emulatorUrl, ignoreHTTPSErrors: true });
    const tenants = (await (await control.get('/_emulator/tenants')).json()) as { value: Array<{ tenantId: string; domains: string[] }> };
    const tenant = tenants.value[0]!;
    domain = tenant.domains[0]!;
    ownerEmail = `olivia.owner@${domain}`;
    microsoftAdmin = `admin@${domain}`;
    const made = await control.post(`/_emulator/tenants/${tenant.tenantId}/users`, { data: { displayName: 'Olivia Owner', userPrincipalName: ownerEmail, mail: ownerEmail, accountEnabled: true } });
    expect(made.status()).toBe(201);
    await control.dispose();
    ({ page: owner } = await freshPage());
  }, 200_000);

  afterAll(async () => {
    await browser?.close();
    await product?.stop();
  });

  it('lets the owner, who is not a Microsoft admin, generate a link in the tab and says how it reaches the admin', async () => {
    await owner.goto(`${product.apiUrl}/`);
    await owner.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await signInOnMicrosoftPage(owner, ownerEmail);
    await owner.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

    linkUrl = await shareLink(microsoftAdmin);
    expect(linkUrl).toMatch(new RegExp(`^${product.apiUrl}/onboarding#[A-Za-z0-9_-]{43}$`));
    const dialog = owner.getByRole('dialog', { name: 'Share Onboarding Link' });
    await dialog.getByText('Link ready').waitFor();
    expect(await dialog.textContent()).toMatch(/Sent to .* in Teams|Copy the link and send it yourself/);
    await shot(owner, 'onboarding-share-dialog');
    await expectAccessible(owner, 'Share Onboarding Link, link ready');
    await closeShareDialog();
    const row = owner.getByRole('table', { name: 'Onboarding links' }).getByRole('row').filter({ hasText: microsoftAdmin });
    expect(await row.textContent()).toContain('Pending');
    expect(await row.textContent()).toContain('Olivia Owner');

    toRevoke = { email: `nora.cloudapp@${domain}`, url: await shareLink(`nora.cloudapp@${domain}`) };
    await closeShareDialog();
    toExpire = { email: `it.helper@${domain}`, url: await shareLink(`it.helper@${domain}`) };
    await closeShareDialog();
  });

  it('opens the console in a fresh browser, asks for a Microsoft sign-in as the link’s email, and signs in on the sign-in page', async () => {
    const { page } = await freshPage();
    await page.goto(linkUrl);
    await page.getByRole('heading', { name: 'Sync your employees — Microsoft', level: 1 }).waitFor();
    // The secret is taken off the address bar, so it stays out of the browser's history.
    expect(new URL(page.url()).hash).toBe('');
    const signIn = page.getByRole('button', { name: 'Sign in with Microsoft' });
    await signIn.waitFor();
    await shot(page, 'onboarding-console-sign-in');
    await expectAccessible(page, 'console, before the Microsoft sign-in');
    expect(await page.getByRole('button', { name: 'Connect to Microsoft 365' }).count()).toBe(0);
    expect(await page.getByTestId('next-steps').textContent()).toMatch(/Connect to Microsoft 365.*Choose who to synchronize/);

    await signIn.click();
    await signInOnMicrosoftPage(page, microsoftAdmin);
    await page.getByText(`(${microsoftAdmin})`).waitFor();

    // Connect to Microsoft 365: the admin-consent page, then back in the console, connected.
    await page.getByRole('button', { name: 'Connect to Microsoft 365' }).waitFor();
    await shot(page, 'onboarding-console-connect');
    await expectAccessible(page, 'console, signed in, not connected');
    await page.getByRole('button', { name: 'Connect to Microsoft 365' }).click();
    await page.waitForURL(`${product.emulatorUrl}/**`);
    expect(await page.locator('#permissions li').count()).toBeGreaterThanOrEqual(4);
    await page.fill('#username', microsoftAdmin);
    await page.click('#accept');
    await page.getByTestId('console-connected-tenant').waitFor();
    expect(await page.getByTestId('console-connected-tenant').textContent()).toContain('Contoso');

    // The scope: the arsen group, nested groups included; then save and sync, and the result.
    await page.getByLabel('Users from one or several Entra groups, including nested groups').check();
    await page.getByRole('combobox', { name: 'Search groups' }).fill('arsen');
    await page.getByRole('option', { name: /^arsen/ }).first().click();
    await page.getByRole('listbox', { name: 'Chosen groups' }).getByRole('option', { name: 'arsen' }).waitFor();
    await shot(page, 'onboarding-console-scope');
    await expectAccessible(page, 'console, choosing the scope');
    await page.getByRole('button', { name: 'Save changes and sync users' }).click();
    await page.locator('[data-testid="run-panel"][data-run-status="succeeded"]').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('run-outcome').textContent()).toMatch(/up to date with Microsoft Entra ID/);
    expect(Number(await page.locator('[data-count="created"]').textContent())).toBeGreaterThan(10);
    await page.getByText('The setup is done').waitFor();
    await shot(page, 'onboarding-console-result');
    await expectAccessible(page, 'console, sync finished');

    // Then read-only until the link expires: the result stays, nothing can be changed.
    await page.reload();
    await page.getByText('The setup is done').waitFor();
    await page.locator('[data-testid="run-panel"][data-run-status="succeeded"]').waitFor();
    expect(await page.getByRole('button', { name: 'Save changes and sync users' }).count()).toBe(0);
    expect(await page.getByLabel('Users from one or several Entra groups, including nested groups').isDisabled()).toBe(true);
    // The chosen group by its name, as when it was chosen.
    await page.getByRole('listbox', { name: 'Chosen groups' }).getByRole('option', { name: 'arsen' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await shot(page, 'onboarding-console-read-only');
    await expectAccessible(page, 'console, read-only');
    // Opened from Teams on a phone: nothing wider than the screen.
    await page.setViewportSize({ width: 320, height: 720 });
    await page.getByText('The setup is done').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await shot(page, 'onboarding-console-read-only-320px');
    await page.context().close();
  });

  it('shows the owner the synced employees and the link completed', async () => {
    await owner.goto(`${product.apiUrl}/#/`);
    await owner.reload();
    await owner.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await owner.getByTestId('active-employees').filter({ hasText: /^[1-9]\d*$/ }).waitFor();
    await owner.goto(`${product.apiUrl}/#/microsoft`);
    await owner.getByTestId('connected-tenant').waitFor();
    // Nothing left to delegate once connected: no new link, but the links and their states stay listed.
    expect(await owner.getByRole('button', { name: 'Share Onboarding Link' }).count()).toBe(0);
    const row = owner.getByRole('table', { name: 'Onboarding links' }).getByRole('row').filter({ hasText: microsoftAdmin });
    await row.filter({ hasText: 'Completed' }).waitFor();
    await shot(owner, 'onboarding-owner-links-after-setup');
    await expectAccessible(owner, 'Microsoft Users Sync, onboarding links after the setup');
  });

  it('fits a 320 px wide window', async () => {
    const { context, page } = await freshPage({ width: 320, height: 720 });
    await page.goto(`${product.apiUrl}/onboarding#${'x'.repeat(43)}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await shot(page, 'onboarding-refused-320px');
    await context.close();
  });

  describe('a link that no longer works says so, and whom to ask', () => {
    const refusedPage = async (url: string, name: string) => {
      const { context, page } = await freshPage();
      await page.goto(url);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      await shot(page, name);
      await expectAccessible(page, name);
      const contact = page.getByTestId('contact');
      const text = { alert: (await alert.textContent()) ?? '', contact: (await contact.count()) > 0 ? ((await contact.textContent()) ?? '') : '' };
      await context.close();
      return text;
    };

    it('a revoked link', async () => {
      await owner.getByRole('button', { name: `Revoke the link for ${toRevoke.email}` }).click();
      await owner.getByRole('table', { name: 'Onboarding links' }).getByRole('row').filter({ hasText: toRevoke.email }).filter({ hasText: 'Revoked' }).waitFor();
      const shown = await refusedPage(toRevoke.url, 'onboarding-refused-revoked');
      expect(shown.alert).toContain('This onboarding link was revoked');
      expect(shown.contact).toContain(`Olivia Owner (${ownerEmail})`);
    });

    it('an expired link', async () => {
      // Fifteen days later, as far as the api is concerned: the link's end is moved into the past in its database.
      const database = new SqliteDatabase(path.join(product.dataDir, 'users-sync.sqlite'));
      try {
        database.prepare("update onboarding_links set expires_at = ? where email = ? and revoked_at is null").run(new Date(Date.now() - 60_000).toISOString(), toExpire.email);
      } finally {
        database.close();
      }
      const shown = await refusedPage(toExpire.url, 'onboarding-refused-expired');
      expect(shown.alert).toContain('This onboarding link has expired');
      expect(shown.contact).toContain(`Olivia Owner (${ownerEmail})`);
    });

    it('an unknown link, and no stack trace anywhere', async () => {
      const shown = await refusedPage(`${product.apiUrl}/onboarding#${'A'.repeat(43)}`, 'onboarding-refused-unknown');
      expect(shown.alert).toContain('This onboarding link does not work');
      expect(shown.alert).not.toMatch(/at \w+ \(|Error:/);
      expect(consoleErrors).toEqual([]);
    });
  });
});
