/**
 * The server as a DIOS program: `kv-server [--dir PATH] [--rewrite-min BYTES]
 * [--fsync NAME]`, with the inbox stream as its first input and, optionally,
 * a TCP listener as its second (handed over by whoever runs it, as inetd
 * hands sockets to servers).
 * @module
 */
import { errors } from '@dios/kernel';
import { defineProgram } from '@dios/libd';
import { runKvServer, type KvServerSetup } from './server.js';

/** The id the server program is registered under. */
export const KV_SERVER_PROGRAM_ID = 'dios-kv-server';

/** Reads the program's arguments (EINVAL naming `argv[i]` for a bad one). */
export function parseServerArgs(argv: readonly string[], inputs: readonly number[]): KvServerSetup {
  const inbox = inputs[0];
  if (inbox === undefined) throw errors.EINVAL('kv-server', 'inputs[0]', 'the inbox stream must be the first input');
  const setup: KvServerSetup = { inbox, ...(inputs[1] !== undefined && { listener: inputs[1] }) };
  const persistence: NonNullable<KvServerSetup['persistence']> = {};
  for (let i = 1; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined) throw errors.EINVAL('kv-server', `argv[${i}]`, `${flag} needs a value`);
    if (flag === '--dir') persistence.dir = value;
    else if (flag === '--fsync') setup.fsync = value;
    else if (flag === '--rewrite-min') {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0) throw errors.EINVAL('kv-server', `argv[${i + 1}]`, `expected a byte count, got '${value}'`);
      persistence.rewriteMinBytes = n;
    } else throw errors.EINVAL('kv-server', `argv[${i}]`, `unknown option '${flag}'`);
    i++;
  }
  setup.persistence = persistence;
  return setup;
}

/** The server program (register it with `Kernel.registerProgram`; {@link startKvServer} does). */
export const kvServerProgram = defineProgram(async (argv, ctx) => {
  await runKvServer(ctx.sys, parseServerArgs(argv, ctx.sys.inputs));
  return 0;
});
