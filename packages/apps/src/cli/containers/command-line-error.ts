/**
 * CommandLineError: a mistake on a container command's line (exit status
 * 2). The commands one folder up have UsageError for the same purpose; this
 * folder may not import from there (cli dispatches to cli/containers, and
 * the apps' folders form a DAG).
 * @module
 */

/** A command-line mistake of `dios image|container|daemon`; its message names the option or argument. */
export class CommandLineError extends Error {
  /** `message` says what is wrong, naming the option or argument. */
  constructor(message: string) {
    super(message);
    this.name = 'CommandLineError';
  }
}
