/**
 * What a command declares about its command line: its options (the table
 * the parser and the help text both read), its synopsis and an example.
 * @module
 */

/** One option of a command. Its key in {@link CommandSpec.options} is its long name (`port` for `--port`). */
export interface OptionSpec {
  /** A string option takes a value; a boolean one is a flag. */
  readonly type: 'string' | 'boolean';
  /** Its one-letter spelling (`p` for `-p`), if it has one. */
  readonly short?: string;
  /** Whether it may be given more than once (every value kept, in order). */
  readonly multiple?: boolean;
  /** What the value stands for in the help (`PORT`). */
  readonly value?: string;
  /** What it does, for the help; its default is said here. */
  readonly help: string;
}

/** A command or subcommand (`wordcount`, `web serve`, `container run`). */
export interface CommandSpec {
  /** Its words after `dios` (`web serve`). */
  readonly name: string;
  /** What follows the name in the synopsis (`[options] DIR`). */
  readonly synopsis: string;
  /** One line: what it does (the global help lists these). */
  readonly summary: string;
  /** More about it, for its own help (already wrapped), if there is more to say. */
  readonly details?: string;
  /** Its options by long name; -h/--help is every command's and not listed here. */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /**
   * Whether the first positional argument ends the options, as `docker run
   * IMAGE ARGS...`: what follows it is the program's, options included.
   */
  readonly stopAtPositional?: boolean;
  /** One example command line, after `dios `. */
  readonly example: string;
}
