/**
 * The `dios` command: `dios wordcount FILE...`, `web serve`, `kv serve`,
 * `node start`, `exec PROGRAM.wasm`, `image ...`, `container ...`, `daemon ...`
 * and `dios --help`.
 * @module
 */
import { isDiosError } from '@dios/kernel';
import { USAGE } from './usage.js';
import { UsageError } from './usage-error.js';
import { InputError, wordCountCommand } from './wordcount-command.js';
import { webCommand } from './web-command.js';
import { kvCommand } from './kv-command.js';
import { nodeCommand } from './node-command.js';
import { provenanceCommand } from './provenance-command.js';
import { execCommand } from './exec-command.js';
import { CredentialsError } from './nats-credentials.js';
import { containerCommand } from './containers/container-command.js';
import { imageCommand } from './containers/image-command.js';
import { daemonCommand } from './containers/daemon-command.js';
import { loadCommand } from './containers/load-command.js';

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined) {
    process.stderr.write(`dios: missing command\n${USAGE}`);
    return 2;
  }
  if (
    command === '-h' ||
    command === '--help' ||
    (command === 'wordcount' && rest.some((a) => a === '-h' || a === '--help'))
  ) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'web') return runWeb(rest);
  if (command === 'kv') return kvCommand(rest);
  if (command === 'node') return nodeCommand(rest);
  if (command === 'provenance') return provenanceCommand(rest);
  if (command === 'exec') return execCommand(rest);
  if (command === 'image') return imageCommand(rest);
  if (command === 'container') return containerCommand(rest);
  if (command === 'daemon') return daemonCommand(rest);
  if (command === 'load') return loadCommand(rest);
  if (command !== 'wordcount') {
    process.stderr.write(`dios: unknown command '${command}' (try 'dios --help')\n`);
    return 2;
  }
  try {
    await wordCountCommand(rest, process.stdout, process.stderr);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`dios wordcount: ${e.message} (try 'dios --help')\n`);
      return 2;
    }
    if (e instanceof InputError || e instanceof CredentialsError || isDiosError(e)) {
      process.stderr.write(`dios wordcount: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

async function runWeb(args: string[]): Promise<number> {
  if (args.some((a) => a === '-h' || a === '--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    await webCommand(args, process.stdout);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`dios web: ${e.message} (try 'dios --help')\n`);
      return 2;
    }
    if (e instanceof InputError || isDiosError(e)) {
      process.stderr.write(`dios web: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

// No top-level await: the package is also bundled as CommonJS, which has none.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
