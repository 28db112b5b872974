import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { close, createLogger, listen } from '@users-sync/api/service';
import { createBotApp, type BotApp } from '@users-sync/bot/app';
import { loadBotConfig } from '@users-sync/bot/config';
import { ApiHarness } from '../api/http/api-harness';
import { repositoryRoot } from '../support/dev-certificate-path';
import { freePort } from '../support/free-port';
import { startAgentsPlayground, type RunningPlayground } from './support/agents-playground';
import { chromiumInstalled, chromiumPath } from './support/browser';

const screenshots = path.join(repositoryRoot, 'tests', 'e2e', 'screenshots');
const secret = 'playground-api-and-bot-secret';

/**
 * The README's way to talk to the local bot: `npm run playground`, Microsoft 365 Agents
 * Playground pointed at `/api/messages` of a bot without Bot Framework credentials, all
 * offline, driven in Chromium as a person types. The person in the playground is the
 * tenant's admin, a member of the organization in the api.
 */
(chromiumInstalled ? describe : describe.skip)('the local bot in Microsoft 365 Agents Playground', () => {
  let api: ApiHarness;
  let bot: BotApp;
  let playground: RunningPlayground;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    const botPort = await freePort();
    api = await ApiHarness.start({ tenant: { users: 30, groups: 3, seed: 5 }, botUrl: `http://127.0.0.1:${botPort}`, notifySecret: secret, changeNotifications: false });
    bot = createBotApp(loadBotConfig({ NOTIFY_SECRET: secret, API_URL: api.baseUrl, BOT_RUN_POLL_MS: '200' }), createLogger({ service: 'bot', level: 'silent', pretty: false }), '0.0.0');
    await listen(bot.server, botPort, '127.0.0.1', 'BOT_PORT');
    const token = await api.tokenFor(api.adminUpn);
    await api.call('GET', '/api/me', { token });
    await api.consent(token, api.adminUpn);
    const admin = api.tenant.admin!;
    playground = await startAgentsPlayground({
      botMessagesUrl: `http://127.0.0.1:${botPort}/api/messages`,
      person: { tenantId: api.tenant.tenantId, aadObjectId: admin.id, name: 'Tenant Admin', email: admin.userPrincipalName },
    });
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(30_000);
  }, 200_000);

  afterAll(async () => {
    await browser?.close();
    await playground?.stop();
    await bot?.handlers.commands.idle();
    if (bot) await close(bot.server);
    await api?.stop();
  });

  /** Types in the playground's compose box and sends, as a person would. */
  const say = async (text: string) => {
    await page.locator('[data-lexical-editor="true"][role="textbox"]').click();
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  };

  it('welcomes the person when the playground installs the bot, with the setup button', async () => {
    await page.goto(playground.url);
    await page.getByText('Welcome to Users Sync').waitFor();
    await page.getByText('Your organization already uses Users Sync').waitFor();
    await page.getByRole('link', { name: 'Open Users Sync' }).first().waitFor();
  });

  it('answers "status" with the connection and the employee counts', async () => {
    await say('status');
    await page.getByText('Users Sync status').waitFor();
    await page.getByText(/^Connected to /).waitFor();
  });

  it('runs "sync now" and brings its card up to date until the sync succeeded', async () => {
    await say('sync now');
    await page.getByText('Sync succeeded').first().waitFor({ timeout: 90_000 });
    await page.screenshot({ path: path.join(screenshots, 'agents-playground-sync-now.png') });
  });

  it('answers "why" about a synced person', async () => {
    await say(`why ${api.adminUpn}`);
    await page.getByText('In the directory', { exact: true }).first().waitFor();
    await page.getByText('synced', { exact: false }).first().waitFor();
    await page.screenshot({ path: path.join(screenshots, 'agents-playground-why.png') });
  });

  it('shares an onboarding link with "link", and the instructions arrive in the person’s chat', async () => {
    await say(`link ${api.adminUpn}`);
    await page.getByText(`Sent to ${api.adminUpn.toLowerCase()} in Teams`).waitFor();
    await page.getByText('You are asked to connect Microsoft 365 to Users Sync').waitFor();
    const link = await page.getByLabel(/Link \(select it to copy\)/).inputValue();
    expect(link).toMatch(/\/onboarding#[\w-]{40,}$/);
    await page.screenshot({ path: path.join(screenshots, 'agents-playground-link.png') });
  });
});
