/**
 * The `dios` command's entry: runs the words after `dios` (see
 * {@link runDios}) and exits with the status it gives.
 * @module
 */
import { runDios } from './run-dios.js';

// No top-level await: the package is also bundled as CommonJS, which has none.
void runDios(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
