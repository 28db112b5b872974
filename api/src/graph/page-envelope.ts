import { z } from 'zod';

/** A Graph collection page as it arrives; items are checked by the caller's schema, not here. */
export const pageEnvelope = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.url().optional(),
  '@odata.deltaLink': z.url().optional(),
  '@odata.count': z.number().int().nonnegative().optional(),
});

/** The answer of `POST /$batch`: one response per request, in any order. */
export const batchEnvelope = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
    }),
  ),
});

/** The first problem zod found, as one line for an error message. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unknown problem';
  const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
  return `${where}: ${issue.message}`;
}
