/** A packaging failure: a stable code for scripts, and a message that says what to do. */
export class PackageError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'PackageError';
    this.code = code;
  }
}
