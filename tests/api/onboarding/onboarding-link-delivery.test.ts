import type { OnboardingLinkParcel } from '@users-sync/api/jobs/onboarding-courier';
import { ApiHarness } from '../http/api-harness';

type Link = { id: string; delivery: { status: string; reason: string | null } };

describe('Share Onboarding Link: delivery in Teams', () => {
  let api: ApiHarness;
  let ownerToken: string;
  const parcels: OnboardingLinkParcel[] = [];

  beforeAll(async () => {
    api = await ApiHarness.start({
      changeNotifications: false,
      overrides: {
        onboardingCourier: {
          // Stands in for the bot: reaches people of the tenant's domain, not outsiders.
          async deliver(parcel) {
            parcels.push(parcel);
            return parcel.email.endsWith('@example.com') ? { delivered: false, reason: 'example.com is not reachable in Teams from this organization' } : { delivered: true, reason: null };
          },
        },
      },
    });
    ownerToken = await api.tokenFor(api.adminUpn);
  });
  afterAll(() => api.stop());

  it('hands the bot the link to deliver and records that it was sent in Teams', async () => {
    const created = await api.call<{ link: Link; url: string }>('POST', '/api/onboarding/links', { token: ownerToken, body: { email: api.adminUpn } });
    expect(created.body.link.delivery).toMatchObject({ status: 'delivered', reason: null });
    expect(parcels[0]).toMatchObject({ linkId: created.body.link.id, email: api.adminUpn.toLowerCase(), url: created.body.url, tenantId: api.tenant.tenantId });
  });

  it('records why it was not delivered, so the dialog says to copy the link', async () => {
    const created = await api.call<{ link: Link }>('POST', '/api/onboarding/links', { token: ownerToken, body: { email: 'consultant@example.com' } });
    expect(created.body.link.delivery).toMatchObject({ status: 'not_delivered', reason: 'example.com is not reachable in Teams from this organization' });
  });

  it('takes a later answer from the bot for a link of the same organization only', async () => {
    const created = await api.call<{ link: Link }>('POST', '/api/onboarding/links', { token: ownerToken, body: { email: 'late@example.com' } });
    const organizationId = (await api.call<{ organization: { id: string } }>('GET', '/api/me', { token: ownerToken })).body.organization.id;
    const links = api.app.services.onboardingLinks;
    await expect(links.recordDelivery({ organizationId: 'another-organization', linkId: created.body.link.id, delivered: true, reason: null })).rejects.toMatchObject({ code: 'ONBOARDING_LINK_NOT_FOUND' });
    expect(await links.recordDelivery({ organizationId, linkId: created.body.link.id, delivered: true, reason: null })).toMatchObject({ delivery: { status: 'delivered' } });
  });
});
