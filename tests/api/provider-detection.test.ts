import { classifyEmailProvider } from '@users-sync/api/provider/email-provider-rules';

describe('email provider detection when an account is created', () => {
  it('recognizes Microsoft 365 by its Exchange Online Protection MX', () => {
    expect(classifyEmailProvider({ mxHosts: ['contoso-com.mail.protection.outlook.com'] })).toEqual({
      provider: 'microsoft',
      evidence: 'MX contoso-com.mail.protection.outlook.com',
    });
  });

  it('recognizes Microsoft 365 when Entra knows the domain as a tenant, whatever the MX says', () => {
    expect(classifyEmailProvider({ mxHosts: ['mx1.mailgateway.example'], entraTenantId: '11111111-2222-3333-4444-555555555555' })).toMatchObject({
      provider: 'microsoft',
      evidence: 'Entra tenant 11111111-2222-3333-4444-555555555555',
    });
  });

  it('recognizes Google Workspace by its MX', () => {
    expect(classifyEmailProvider({ mxHosts: ['aspmx.l.google.com.', 'alt1.aspmx.l.google.com'] }).provider).toBe('google');
  });

  it('says other for any other mail host, and unknown when there is nothing to go on', () => {
    expect(classifyEmailProvider({ mxHosts: ['mail.example.org'] }).provider).toBe('other');
    expect(classifyEmailProvider({ mxHosts: [] }).provider).toBe('unknown');
  });
});
