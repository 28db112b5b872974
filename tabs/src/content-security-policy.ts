import { config } from 'zod';

/**
 * The api serves the tab under a Content-Security-Policy without 'unsafe-eval'. zod compiles
 * its object parsers with `new Function` unless told not to, and decides when each schema is
 * built, so this module is imported first, before the contract's schemas exist.
 */
config({ jitless: true });
