/** The directory's rules, pure: mapping Entra users to employees, scope, diff, deletion guard. No I/O, no clock. */
export * from './domain-error';
export * from './directory-user';
export * from './employee';
export * from './attributes-hash';
export * from './exclusions';
export * from './scope';
export * from './group-tree';
export * from './directory-diff';
export * from './deletion-guard';
export * from './onboarding-link';
export * from './csv-import-plan';
export * from './sync-schedule';
export * from './directory-presence';
export * from './entra-id-set';
