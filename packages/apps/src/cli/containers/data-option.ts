/**
 * `--data DIR`, which every container command takes: the data directory
 * whose daemon it talks to.
 * @module
 */
import type { OptionSpec } from '../args/command-spec.js';

/** The `--data DIR` option of the container commands. */
export const DATA_OPTION: OptionSpec = {
  type: 'string',
  value: 'DIR',
  help: "the data directory whose daemon to use (default: $DIOS_DATA, else ./.dios-data, as for 'dios exec')",
};
