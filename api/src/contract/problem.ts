import { z } from 'zod';

/**
 * Every error the api answers is `application/problem+json` (RFC 9457) with a stable
 * `code` a program can branch on and a `detail` a person can act on.
 */
export const problemSchema = z
  .object({
    type: z.string().default('about:blank'),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe('Stable machine-readable error code, e.g. TOKEN_EXPIRED'),
    detail: z.string().describe('What happened and what to do next'),
    requestId: z.string().optional(),
    /** Per-field validation messages, keyed by the field's dotted path. */
    fields: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;
