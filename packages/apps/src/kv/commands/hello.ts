/**
 * HELLO [protover [AUTH user pass] [SETNAME name]]: switches the
 * connection's protocol (RESP2 or RESP3) and describes the server, as
 * Redis 7.0's networking.c helloCommand.
 * @module
 */
import { excerpt, isWord, latin1, parseInteger } from '../core/bytes.js';
import type { CommandContext, CommandSpec } from './context.js';
import { REPORTED_VERSION } from './server.js';

function hello(args: Uint8Array[], ctx: CommandContext): void {
  const out = ctx.out;
  let version = 0;
  let next = 1;
  if (args.length >= 2) {
    const v = parseInteger(args[next++]!);
    if (v === undefined) return out.error('ERR Protocol version is not an integer or out of range');
    if (v < 2n || v > 3n) return out.error('NOPROTO unsupported protocol version');
    version = Number(v);
  }
  let name: string | undefined;
  for (let j = next; j < args.length; j++) {
    const more = args.length - 1 - j;
    const opt = args[j]!;
    if (isWord(opt, 'AUTH') && more >= 2) {
      // No users are configured: only the default user with any password, as Redis without requirepass.
      if (latin1(args[j + 1]!) !== 'default')
        return out.error('WRONGPASS invalid username-password pair or user is disabled.');
      j += 2;
    } else if (isWord(opt, 'SETNAME') && more >= 1) {
      const n = latin1(args[j + 1]!);
      if (!/^[\x21-\x7e]*$/.test(n))
        return out.error('ERR Client names cannot contain spaces, newlines or special characters.');
      name = n;
      j++;
    } else return out.error(`ERR Syntax error in HELLO option '${excerpt(opt)}'`);
  }
  if (name !== undefined) ctx.client.name = name;
  if (version !== 0) {
    ctx.client.protocol = version as 2 | 3;
    out.protocol = version as 2 | 3;
  }
  out.mapHeader(7);
  out.bulkText('server');
  out.bulkText('redis');
  out.bulkText('version');
  out.bulkText(REPORTED_VERSION);
  out.bulkText('proto');
  out.integer(ctx.client.protocol);
  out.bulkText('id');
  out.integer(ctx.client.id);
  out.bulkText('mode');
  out.bulkText('standalone');
  out.bulkText('role');
  out.bulkText('master');
  out.bulkText('modules');
  out.arrayHeader(0);
}

/** HELLO, as a command table entry. */
export const HELLO_COMMANDS: readonly CommandSpec[] = [{ name: 'hello', arity: -1, run: hello }];
