import { loadBotConfig } from '@users-sync/bot/config';

describe('bot configuration', () => {
  it('runs locally, without Bot Framework credentials, on port 3978 by default', () => {
    const config = loadBotConfig({});
    expect(config.port).toBe(3978);
    expect(config.botId).toBeUndefined();
    expect(config.local).toBe(true);
    expect(config.host).toBe('127.0.0.1');
  });

  it('refuses to listen beyond loopback without Bot Framework credentials, since it then trusts every caller', () => {
    expect(() => loadBotConfig({ BOT_HOST: '0.0.0.0' })).toThrow(/BOT_HOST: 0\.0\.0\.0 is not loopback, but BOT_ID and BOT_PASSWORD are not set/);
    const registered = loadBotConfig({ BOT_HOST: '0.0.0.0', BOT_ID: 'bot-app-id', BOT_PASSWORD: 'secret', BOT_TENANT_ID: 'tenant-id' });
    expect(registered).toMatchObject({ local: false, host: '0.0.0.0', botTenantId: 'tenant-id' });
  });

  it('names BOT_PASSWORD when BOT_ID comes without it', () => {
    expect(() => loadBotConfig({ BOT_ID: 'bot-app-id' })).toThrow(/BOT_PASSWORD: BOT_ID is set without it/);
  });

  it('opens Users Sync in its Teams tab when the Teams app id is known, else at its web address', () => {
    expect(loadBotConfig({ TEAMS_APP_ID: 'app-id' }).tabUrl).toBe('https://teams.microsoft.com/l/entity/app-id/admin');
    expect(loadBotConfig({ PUBLIC_URL: 'https://usersync.contoso.com/' }).tabUrl).toBe('https://usersync.contoso.com/');
    expect(loadBotConfig({}).tabUrl).toBe('http://127.0.0.1:3000/');
  });

  it('names BOT_PORT when it is out of range', () => {
    expect(() => loadBotConfig({ BOT_PORT: '70000' })).toThrow(/BOT_PORT: expected a port from 0 to 65535 \(got "70000"\)/);
  });

  it('names API_URL when it is not a URL', () => {
    expect(() => loadBotConfig({ API_URL: 'localhost:3000' })).toThrow(/API_URL: expected an absolute http\(s\) URL/);
  });
});
