import { CodedError } from '../domain';

export type StoreErrorCode = 'STORE_MIGRATION_FAILED' | 'STORE_SCHEMA_INVALID' | 'STORE_UNREACHABLE' | 'STORE_UNAVAILABLE';

/** The store refused or could not do something. */
export class StoreError extends CodedError<StoreErrorCode> {}
