import { z } from 'zod';

export const presenceQuerySchema = z.object({
  query: z.string().trim().min(1, 'Enter an email address or a name').max(256),
});

export const presenceVerdictSchema = z
  .enum(['synced', 'not_synced_yet', 'not_found', 'several_matches', 'disabled', 'guest_excluded', 'no_usable_email', 'excluded', 'outside_scope'])
  .meta({ id: 'PresenceVerdict' });
export type PresenceVerdictValue = z.infer<typeof presenceVerdictSchema>;

/** Each verdict's heading, as the tab and the bot's `why` both show it. */
export const presenceVerdictTitles: Record<PresenceVerdictValue, string> = {
  synced: 'In the directory',
  not_synced_yet: 'In scope, not synchronized yet',
  not_found: 'Not found in Microsoft 365',
  several_matches: 'Several people match',
  disabled: 'Account disabled in Entra ID',
  guest_excluded: 'Guest account',
  no_usable_email: 'No usable email address',
  excluded: 'Excluded',
  outside_scope: 'Outside the synchronized users',
};

const personSchema = z
  .object({
    entraObjectId: z.string(),
    displayName: z.string().nullable(),
    /** The address the directory would use (mail, else a non-guest UPN); null when there is none. */
    email: z.string().nullable(),
    userPrincipalName: z.string().nullable(),
    accountEnabled: z.boolean().nullable(),
    userType: z.string().nullable(),
  })
  .meta({ id: 'PresencePerson' });

/**
 * "Someone missing?": why a person is or is not in the directory. The tab and the bot's
 * `why` command both read it; fields are only ever added.
 */
export const presenceAnswerSchema = z
  .object({
    query: z.string(),
    verdict: presenceVerdictSchema,
    /** One sentence for the admin, saying what to do. */
    message: z.string(),
    /** The person the answer is about (null for not_found and several_matches). */
    person: personSchema.nullable(),
    /** several_matches: the people the query could mean (at most 10). */
    matches: z.array(personSchema),
    /** True when more people matched than `matches` lists. */
    moreMatches: z.boolean(),
    scope: z.object({ kind: z.enum(['all', 'group_name', 'groups']), description: z.string() }),
    /** outside_scope: every group the person is in; synced or not_synced_yet in a group scope: the scope groups that hold them. */
    groups: z.array(z.object({ id: z.string(), displayName: z.string().nullable() })),
    /** excluded: the exclusion entry that matches them. */
    exclusion: z.string().nullable(),
    /** The directory's record of the person, if there is one (it may be inactive). */
    employee: z
      .object({
        id: z.string(),
        status: z.enum(['active', 'inactive']),
        lastSyncedAt: z.iso.datetime().nullable(),
        deactivatedAt: z.iso.datetime().nullable(),
        /** The newest change a sync made to the record, and by which run. */
        lastChange: z.object({ at: z.iso.datetime(), runId: z.string().nullable(), action: z.string() }).nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'PresenceAnswer' });
export type PresenceAnswer = z.infer<typeof presenceAnswerSchema>;
