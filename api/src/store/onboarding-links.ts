import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, OnboardingLinkTable } from './schema';

export type OnboardingDeliveryStatus = 'pending' | 'delivered' | 'not_delivered';

export interface OnboardingLink {
  id: string;
  organizationId: string;
  email: string;
  createdBy: { objectId: string; name: string; email: string };
  createdAt: string;
  expiresAt: string;
  openedAt: string | null;
  signedInEmail: string | null;
  signedInAt: string | null;
  consentedAt: string | null;
  completedAt: string | null;
  revokedAt: string | null;
  revokedByName: string | null;
  delivery: { status: OnboardingDeliveryStatus; reason: string | null; at: string | null };
}

export interface NewOnboardingLink {
  organizationId: string;
  tokenHash: string;
  email: string;
  createdBy: { objectId: string; name: string; email: string };
  createdAt: string;
  expiresAt: string;
}

function toLink(row: Selectable<OnboardingLinkTable>): OnboardingLink {
  return {
    id: row.id,
    organizationId: row.organization_id,
    email: row.email,
    createdBy: { objectId: row.created_by_object_id, name: row.created_by_name, email: row.created_by_email },
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    openedAt: row.opened_at,
    signedInEmail: row.signed_in_email,
    signedInAt: row.signed_in_at,
    consentedAt: row.consented_at,
    completedAt: row.completed_at,
    revokedAt: row.revoked_at,
    revokedByName: row.revoked_by_name,
    delivery: { status: row.delivery_status as OnboardingDeliveryStatus, reason: row.delivery_reason, at: row.delivery_at },
  };
}

/** Onboarding links, found by the hash of their secret; their console's runs; whether the setup they opened completed. */
export function onboardingLinkRepository(db: Kysely<Database>, now: () => string) {
  /**
   * A link's setup is complete once a real (not dry) sync its console started succeeded.
   * Worked out from the runs themselves, so it holds whichever api instance ran the sync.
   */
  const recordCompletions = async (where: { organizationId?: string; linkId?: string }) => {
    let update = db
      .updateTable('onboarding_links')
      .set({
        completed_at: sql<string>`(select min(r.finished_at) from onboarding_link_runs lr join sync_runs r on r.id = lr.run_id where lr.link_id = onboarding_links.id and r.status = 'succeeded' and r.dry_run = 0)`,
      })
      .where('completed_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('onboarding_link_runs as lr')
            .innerJoin('sync_runs as r', 'r.id', 'lr.run_id')
            .select('lr.run_id')
            .whereRef('lr.link_id', '=', 'onboarding_links.id')
            .where('r.status', '=', 'succeeded')
            .where('r.dry_run', '=', 0),
        ),
      );
    if (where.organizationId) update = update.where('organization_id', '=', where.organizationId);
    if (where.linkId) update = update.where('id', '=', where.linkId);
    await update.execute();
  };

  const get = async (linkId: string): Promise<OnboardingLink | undefined> => {
    await recordCompletions({ linkId });
    const row = await db.selectFrom('onboarding_links').selectAll().where('id', '=', linkId).executeTakeFirst();
    return row && toLink(row);
  };

  return {
    async create(link: NewOnboardingLink): Promise<OnboardingLink> {
      const id = randomUUID();
      await db
        .insertInto('onboarding_links')
        .values({
          id,
          organization_id: link.organizationId,
          token_hash: link.tokenHash,
          email: link.email,
          created_by_object_id: link.createdBy.objectId,
          created_by_name: link.createdBy.name,
          created_by_email: link.createdBy.email,
          created_at: link.createdAt,
          expires_at: link.expiresAt,
          delivery_status: 'pending',
        })
        .execute();
      return (await get(id))!;
    },

    get,

    async findByTokenHash(tokenHash: string): Promise<OnboardingLink | undefined> {
      const row = await db.selectFrom('onboarding_links').select('id').where('token_hash', '=', tokenHash).executeTakeFirst();
      return row ? get(row.id) : undefined;
    },

    /** Newest first. */
    async list(organizationId: string, limit = 200): Promise<OnboardingLink[]> {
      await recordCompletions({ organizationId });
      const rows = await db.selectFrom('onboarding_links').selectAll().where('organization_id', '=', organizationId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toLink);
    },

    /** Links not revoked, expired or completed: what the organization has open right now. */
    async countOpen(organizationId: string): Promise<number> {
      const row = await db
        .selectFrom('onboarding_links')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('organization_id', '=', organizationId)
        .where('revoked_at', 'is', null)
        .where('completed_at', 'is', null)
        .where('expires_at', '>', now())
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** The first opening only; later ones leave the date alone. */
    async markOpened(linkId: string): Promise<void> {
      await db.updateTable('onboarding_links').set({ opened_at: now() }).where('id', '=', linkId).where('opened_at', 'is', null).execute();
    },

    async markSignedIn(linkId: string, email: string): Promise<void> {
      await db.updateTable('onboarding_links').set({ signed_in_email: email, signed_in_at: now() }).where('id', '=', linkId).execute();
    },

    async markConsented(linkId: string): Promise<void> {
      await db.updateTable('onboarding_links').set({ consented_at: now() }).where('id', '=', linkId).execute();
    },

    /** False when the link was already revoked. */
    async revoke(organizationId: string, linkId: string, byName: string): Promise<boolean> {
      const result = await db
        .updateTable('onboarding_links')
        .set({ revoked_at: now(), revoked_by_name: byName })
        .where('organization_id', '=', organizationId)
        .where('id', '=', linkId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** What the bot (or the lack of one) made of delivering the link in Teams. */
    async recordDelivery(linkId: string, outcome: { delivered: boolean; reason: string | null }): Promise<void> {
      await db
        .updateTable('onboarding_links')
        .set({ delivery_status: outcome.delivered ? 'delivered' : 'not_delivered', delivery_reason: outcome.reason, delivery_at: now() })
        .where('id', '=', linkId)
        .execute();
    },

    async addRun(linkId: string, runId: string): Promise<void> {
      await db
        .insertInto('onboarding_link_runs')
        .values({ link_id: linkId, run_id: runId, created_at: now() })
        .onConflict((oc) => oc.columns(['link_id', 'run_id']).doNothing())
        .execute();
    },

    async runIds(linkId: string): Promise<string[]> {
      const rows = await db.selectFrom('onboarding_link_runs').select('run_id').where('link_id', '=', linkId).orderBy('created_at').execute();
      return rows.map((r) => r.run_id);
    },
  };
}

export type OnboardingLinkRepository = ReturnType<typeof onboardingLinkRepository>;
