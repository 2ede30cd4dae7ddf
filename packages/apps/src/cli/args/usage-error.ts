/**
 * UsageError: a bad command line (exit status 2).
 * @module
 */

/** A command-line mistake; its message names the argument, in the wording the parser and the value checks share. */
export class UsageError extends Error {
  /** `message` says what is wrong, naming the argument. */
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
