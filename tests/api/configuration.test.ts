import { loadApiConfig } from '@users-sync/api/config';
import { ConfigurationError } from '@users-sync/api/service';

const noFile = '/nonexistent/.env.local';
const load = (env: Record<string, string>) => loadApiConfig({ ...env });

describe('api configuration', () => {
  it('starts on its embedded defaults when nothing is set', () => {
    const config = load({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.microsoft.authorityHost).toBe('https://login.microsoftonline.com');
    expect(config.microsoft.graphBaseUrl).toBe('https://graph.microsoft.com');
  });

  it('names the variable and what it expects when a port is not a number', () => {
    expect(() => load({ API_PORT: 'three thousand' })).toThrow(ConfigurationError);
    expect(() => load({ API_PORT: 'three thousand' })).toThrow(/API_PORT: expected a TCP port number \(got "three thousand"\)/);
  });

  it('refuses a client id without its secret, naming the missing one', () => {
    expect(() => load({ MICROSOFT_CLIENT_ID: '00000000-0000-0000-0000-000000000001' })).toThrow(/MICROSOFT_CLIENT_SECRET: .*set both or neither/);
  });

  it('refuses a DATABASE_URL that is not PostgreSQL', () => {
    expect(() => load({ DATABASE_URL: 'mysql://root@localhost/db' })).toThrow(/DATABASE_URL: expected a PostgreSQL URL/);
  });

  it('treats an empty variable as unset, as env files often leave them', () => {
    expect(load({ DATABASE_URL: '', MICROSOFT_CLIENT_ID: '', MICROSOFT_CLIENT_SECRET: '' }).microsoft.clientId).toBeUndefined();
  });

  it('tells the person where to put the values', () => {
    expect(() => load({ LOG_LEVEL: 'loud' })).toThrow(/env\/\.env\.local/);
  });

  it('does not read env/.env.local values over what the shell sets', () => {
    void noFile;
    expect(load({ API_PORT: '3100' }).port).toBe(3100);
  });
});
