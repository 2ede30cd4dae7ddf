/**
 * The server as a DIOS program: `kv-server [--dir PATH] [--rewrite-min BYTES]
 * [--fsync NAME] [--max-bulk BYTES] [--max-key BYTES] [--query-limit BYTES] [--output-limit
 * 'HARD SOFT SECONDS']`, with the inbox stream as its first input and,
 * optionally, a TCP listener as its second (handed over by whoever runs it,
 * as inetd hands sockets to servers). It logs to its stderr (the console).
 * @module
 */
import { errors } from '@dios/kernel';
import { defineProgram, fputs } from '@dios/libd';
import {
  DEFAULT_KV_LIMITS,
  MAX_CONFIGURED_BYTES,
  MAX_KEY_BYTES,
  parseBytes,
  parseOutputBufferLimit,
  type KvLimits,
} from './core/limits.js';
import type { CommandSpec } from './commands/context.js';
import { runKvServer, type KvServerSetup } from './server.js';

/** The id the server program is registered under. */
export const KV_SERVER_PROGRAM_ID = 'dios-kv-server';

/** Reads the program's arguments (EINVAL naming `argv[i]` for a bad one). */
export function parseServerArgs(argv: readonly string[], inputs: readonly number[]): KvServerSetup {
  const inbox = inputs[0];
  if (inbox === undefined) throw errors.EINVAL('kv-server', 'inputs[0]', 'the inbox stream must be the first input');
  const setup: KvServerSetup = { inbox, ...(inputs[1] !== undefined && { listener: inputs[1] }) };
  const persistence: NonNullable<KvServerSetup['persistence']> = {};
  const limits: KvLimits = { ...DEFAULT_KV_LIMITS, output: { ...DEFAULT_KV_LIMITS.output } };
  const sizeAt = (i: number, max: number) => {
    const n = parseBytes(argv[i]!);
    if (n === undefined || n < 1 || n > max)
      throw errors.EINVAL(
        'kv-server',
        `argv[${i}]`,
        `expected a size from 1 to ${max} bytes (such as 512mb), got '${argv[i]}'`,
      );
    return n;
  };
  for (let i = 1; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined) throw errors.EINVAL('kv-server', `argv[${i}]`, `${flag} needs a value`);
    if (flag === '--dir') persistence.dir = value;
    else if (flag === '--max-bulk') limits.maxBulkBytes = sizeAt(i + 1, MAX_CONFIGURED_BYTES);
    else if (flag === '--max-key') limits.maxKeyBytes = sizeAt(i + 1, MAX_KEY_BYTES);
    else if (flag === '--query-limit') limits.queryBufferBytes = sizeAt(i + 1, MAX_CONFIGURED_BYTES);
    else if (flag === '--output-limit') {
      const output = parseOutputBufferLimit(value);
      if (output === undefined)
        throw errors.EINVAL(
          'kv-server',
          `argv[${i + 1}]`,
          `expected 'HARD SOFT SECONDS' (such as '256mb 64mb 60'), got '${value}'`,
        );
      limits.output = output;
    } else if (flag === '--fsync') setup.fsync = value;
    else if (flag === '--rewrite-min') {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0)
        throw errors.EINVAL('kv-server', `argv[${i + 1}]`, `expected a byte count, got '${value}'`);
      persistence.rewriteMinBytes = n;
    } else throw errors.EINVAL('kv-server', `argv[${i}]`, `unknown option '${flag}'`);
    i++;
  }
  setup.persistence = persistence;
  setup.limits = limits;
  return setup;
}

/** What a host may give the server program besides its arguments. */
export interface KvServerExtras {
  /** The server's clock (see {@link KvServerSetup.clock}). */
  clock?: () => number;
  /** Commands added to the built-in ones (see {@link KvServerSetup.commands}). */
  commands?: readonly CommandSpec[];
}

/** The server program (register it with `Kernel.registerProgram`; {@link startKvServer} does). */
export const kvServerProgram = kvServerProgramWith({});

/** The server program with `extras` that no argument can carry (a clock, added commands). */
export function kvServerProgramWith(extras: KvServerExtras): ReturnType<typeof defineProgram> {
  return defineProgram((argv, ctx) => serve(argv, ctx, extras));
}

async function serve(
  argv: string[],
  ctx: Parameters<Parameters<typeof defineProgram>[0]>[1],
  extras: KvServerExtras,
): Promise<number> {
  const setup = parseServerArgs(argv, ctx.sys.inputs);
  if (extras.clock !== undefined) setup.clock = extras.clock;
  if (extras.commands !== undefined) setup.commands = extras.commands;
  let logged: Promise<unknown> = Promise.resolve();
  setup.log = (line) => {
    // Lines go out in order, one after the other; a console that cannot be written loses them, nothing more.
    logged = logged.then(async () => fputs((await ctx.stdio()).stderr, `kv-server: ${line}\n`)).catch(() => {});
  };
  await runKvServer(ctx.sys, setup);
  await logged;
  return 0;
}
