import { z } from 'zod';
import { roleSchema } from './organization';

export const accountPersonSchema = z
  .object({
    /** Entra object id; `invited:<email>` for someone added by email who has not signed in yet. */
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: roleSchema,
    /**
     * How they got the role: created the account (first sign-in), signed in as a Microsoft admin
     * (kept while their tokens carry the directory role), added by the owner (kept until removed),
     * became owner (took ownership or was handed it).
     */
    grantedBy: z.enum(['created_the_account', 'microsoft_admin', 'added_by_owner', 'became_owner']),
    /** Added by the owner, not signed in yet. */
    invited: z.boolean(),
    since: z.iso.datetime(),
  })
  .meta({ id: 'AccountPerson' });

export const accountPeopleSchema = z.object({ people: z.array(accountPersonSchema) }).meta({ id: 'AccountPeople' });

export const addAdminBodySchema = z.object({ email: z.email('Enter an email address, like name@company.com.').trim().toLowerCase().max(320) }).meta({ id: 'AddAdmin' });
