/**
 * The one base of our errors: a stable `code` callers decide on (never the message), and a
 * message that says what to do. Each layer narrows `Code` to its own union.
 */
export class CodedError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type DomainErrorCode = 'EXCLUSION_INVALID' | 'SCOPE_GROUP_NOT_FOUND' | 'SCOPE_GROUP_AMBIGUOUS';

/** A rule of the directory was broken. */
export class DomainError extends CodedError<DomainErrorCode> {}
