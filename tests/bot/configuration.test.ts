import { loadBotConfig } from '@users-sync/bot/config';

describe('bot configuration', () => {
  it('runs locally, without Bot Framework credentials, on port 3978 by default', () => {
    const config = loadBotConfig({});
    expect(config.port).toBe(3978);
    expect(config.botId).toBeUndefined();
  });

  it('names BOT_PORT when it is out of range', () => {
    expect(() => loadBotConfig({ BOT_PORT: '70000' })).toThrow(/BOT_PORT: expected a port from 0 to 65535 \(got "70000"\)/);
  });

  it('names API_URL when it is not a URL', () => {
    expect(() => loadBotConfig({ API_URL: 'localhost:3000' })).toThrow(/API_URL: expected an absolute http\(s\) URL/);
  });
});
