/**
 * bench:wasi's node:wasi baseline: runs a WASI program under Node's own WASI
 * (straight to the host file system, no DIOS), with the directory DIR
 * preopened as `/` (as DIOS's WASI runtime preopens its root), stdin, stdout
 * and stderr the process's, and exits with the program's status.
 *
 *   node bench/wasi-node.mjs PROGRAM.wasm DIR [ARGS...]
 * Plain JavaScript, so it starts as fast as the built dios command.
 * @module
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { WASI } from 'node:wasi';

const [program, dir, ...args] = process.argv.slice(2);
const wasi = new WASI({
  version: 'preview1',
  args: [basename(program), ...args],
  env: {},
  preopens: { '/': dir },
  returnOnExit: true,
});
const module = await WebAssembly.compile(readFileSync(program));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
