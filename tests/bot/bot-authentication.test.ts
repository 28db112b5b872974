import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import type { Activity } from 'botbuilder';
import { close, createLogger, listen } from '@users-sync/api/service';
import { createBotApp, type BotApp } from '@users-sync/bot/app';
import { loadBotConfig } from '@users-sync/bot/config';
import { FakeUsersSyncApi, owner } from './support/fake-users-sync-api';
import { teamsMessage } from './support/teams-activities';

const botId = '6f1c2d3e-0000-4000-8000-00000000b0b1';
const serviceUrl = 'https://smba.trafficmanager.net/emea/';

/**
 * The Bot Connector's side of authentication, on loopback: its OpenID metadata and
 * signing keys (endorsed for msteams), as login.botframework.com publishes them
 * (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication).
 */
async function startConnectorKeys(publicKey: KeyLike) {
  const jwk = { ...(await exportJWK(publicKey)), kid: 'connector-key', use: 'sig', alg: 'RS256', endorsements: ['msteams'] };
  let base = '';
  const server = http.createServer((req, res) => {
    const body = req.url === '/openid' ? { issuer: 'https://api.botframework.com', jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] } : req.url === '/keys' ? { keys: [jwk] } : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { metadataUrl: `${base}/openid`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('Bot Framework authentication, when the bot has credentials', () => {
  let connectorKey: KeyLike;
  let forgerKey: KeyLike;
  let keys: Awaited<ReturnType<typeof startConnectorKeys>>;
  let bot: BotApp;
  let base: string;
  const api = new FakeUsersSyncApi();

  beforeAll(async () => {
    const connector = await generateKeyPair('RS256');
    connectorKey = connector.privateKey;
    forgerKey = (await generateKeyPair('RS256')).privateKey;
    keys = await startConnectorKeys(connector.publicKey);
    bot = createBotApp(loadBotConfig({ BOT_ID: botId, BOT_PASSWORD: 'bot-secret', NOTIFY_SECRET: 'x' }), createLogger({ service: 'bot', level: 'silent', pretty: false }), '0.0.0', { api, openIdMetadataUrl: keys.metadataUrl });
    base = `http://127.0.0.1:${await listen(bot.server, 0, '127.0.0.1', 'BOT_PORT')}`;
  });
  afterAll(async () => {
    await close(bot.server);
    await keys.close();
  });

  const token = (key: KeyLike, claims: Record<string, unknown> = {}) =>
    new SignJWT({ serviceurl: serviceUrl, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'connector-key', typ: 'JWT' })
      .setIssuer('https://api.botframework.com')
      .setAudience(typeof claims.aud === 'string' ? claims.aud : botId)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('10m')
      .sign(key);

  const post = (activity: Partial<Activity>, authorization?: string) =>
    fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify(activity) });

  // An activity the bot answers without writing back (nothing to reach outside loopback), so acceptance shows as 200.
  const quiet = (): Partial<Activity> => ({ ...teamsMessage('', owner, { serviceUrl }), type: 'conversationUpdate', text: undefined });

  it('accepts an activity signed by the Bot Connector for this bot', async () => {
    expect((await post(quiet(), `Bearer ${await token(connectorKey)}`)).status).toBe(200);
  });

  it('refuses an activity without a token, or with a forged one, and acts on none of them', async () => {
    const forged = {
      'no token': undefined,
      'not a JWT': 'Bearer not-a-jwt',
      'signed with another key': `Bearer ${await token(forgerKey)}`,
      'issued for another bot': `Bearer ${await token(connectorKey, { aud: 'another-bot-id' })}`,
      'issued for another serviceUrl': `Bearer ${await token(connectorKey, { serviceurl: 'https://attacker.example/' })}`,
    };
    const statuses = Object.fromEntries(await Promise.all(Object.entries(forged).map(async ([name, authorization]) => [name, (await post(teamsMessage('sync now', owner, { serviceUrl }), authorization)).status])));
    // botbuilder's CloudAdapter lets the signature check's own error through as a 500 rather than an AuthenticationError's 401; refused all the same.
    expect(statuses).toEqual({ 'no token': 401, 'not a JWT': 401, 'signed with another key': 500, 'issued for another bot': 401, 'issued for another serviceUrl': 401 });
    expect(api.calls).toEqual([]);
  });
});
