/**
 * Publish/subscribe commands (SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE,
 * PUNSUBSCRIBE, PUBLISH, PUBSUB), as Redis 7.0's pubsub.c. Replies to the
 * subscribe family are pushes (RESP3) or arrays (RESP2).
 * @module
 */
import { PUBSUB } from './client-flags.js';
import { excerpt, isWord, latin1 } from '../core/bytes.js';
import { globMatch } from '../core/glob.js';
import type { ClientState, CommandContext, CommandSpec } from './context.js';

// Subscriptions of the client (channels and patterns), as each reply of the family reports.
function count(c: ClientState): number {
  return (c.channels?.size ?? 0) + (c.patterns?.size ?? 0);
}

// The subscribe family's reply for one channel or pattern (null: none).
function confirm(ctx: CommandContext, kind: string, name: string | null): void {
  const w = ctx.out;
  w.pushHeader(3);
  w.bulkText(kind);
  if (name === null) w.bulk(null);
  else w.bulkText(name);
  w.integer(count(ctx.client));
}

// Keeps the PUBSUB flag in step with the subscriptions.
function settle(c: ClientState): void {
  if (count(c) > 0) c.flags |= PUBSUB;
  else c.flags &= ~PUBSUB;
}

function subscribe(args: Uint8Array[], ctx: CommandContext): void {
  for (let i = 1; i < args.length; i++) {
    const channel = latin1(args[i]!);
    ctx.hub.channels.subscribe(ctx.client, channel);
    confirm(ctx, 'subscribe', channel);
  }
  ctx.client.flags |= PUBSUB;
}

function psubscribe(args: Uint8Array[], ctx: CommandContext): void {
  for (let i = 1; i < args.length; i++) {
    const pattern = latin1(args[i]!);
    ctx.hub.channels.psubscribe(ctx.client, pattern);
    confirm(ctx, 'psubscribe', pattern);
  }
  ctx.client.flags |= PUBSUB;
}

function unsubscribe(args: Uint8Array[], ctx: CommandContext): void {
  const c = ctx.client;
  const hub = ctx.hub.channels;
  if (args.length === 1) {
    const all = c.channels === undefined ? [] : [...c.channels];
    for (const channel of all) {
      hub.unsubscribe(c, channel);
      confirm(ctx, 'unsubscribe', channel);
    }
    if (all.length === 0) confirm(ctx, 'unsubscribe', null);
  } else
    for (let i = 1; i < args.length; i++) {
      const channel = latin1(args[i]!);
      hub.unsubscribe(c, channel);
      confirm(ctx, 'unsubscribe', channel);
    }
  settle(c);
}

function punsubscribe(args: Uint8Array[], ctx: CommandContext): void {
  const c = ctx.client;
  const hub = ctx.hub.channels;
  if (args.length === 1) {
    const all = c.patterns === undefined ? [] : [...c.patterns];
    for (const pattern of all) {
      hub.punsubscribe(c, pattern);
      confirm(ctx, 'punsubscribe', pattern);
    }
    if (all.length === 0) confirm(ctx, 'punsubscribe', null);
  } else
    for (let i = 1; i < args.length; i++) {
      const pattern = latin1(args[i]!);
      hub.punsubscribe(c, pattern);
      confirm(ctx, 'punsubscribe', pattern);
    }
  settle(c);
}

function publish(args: Uint8Array[], ctx: CommandContext): void {
  ctx.out.integer(ctx.hub.channels.publish(latin1(args[1]!), args[2]!, ctx.hub.writerFor));
  // As Redis: replicas get PUBLISH (the AOF does not).
  ctx.hub.replicate(args);
}

const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

function pubsub(args: Uint8Array[], ctx: CommandContext): void {
  const out = ctx.out;
  const sub = args[1]!;
  const n = args.length;
  if (isWord(sub, 'HELP') && n === 2) {
    out.arrayHeader(PUBSUB_HELP.length);
    for (const line of PUBSUB_HELP) out.simple(line);
  } else if (isWord(sub, 'CHANNELS') && n <= 3) {
    const pattern = n === 3 ? latin1(args[2]!) : undefined;
    const names = [...ctx.hub.channels.channelNames()].filter((c) => pattern === undefined || globMatch(pattern, c));
    out.arrayHeader(names.length);
    for (const name of names) out.bulkText(name);
  } else if (isWord(sub, 'NUMSUB')) {
    out.arrayHeader((n - 2) * 2);
    for (let i = 2; i < n; i++) {
      out.bulk(args[i]!);
      out.integer(ctx.hub.channels.subscribers(latin1(args[i]!)));
    }
  } else if (isWord(sub, 'NUMPAT') && n === 2) out.integer(ctx.hub.channels.patternCount);
  else if (isWord(sub, 'SHARDCHANNELS') && n <= 3) out.arrayHeader(0);
  else if (isWord(sub, 'SHARDNUMSUB')) {
    out.arrayHeader((n - 2) * 2);
    for (let i = 2; i < n; i++) {
      out.bulk(args[i]!);
      out.integer(0);
    }
  } else out.error(`ERR unknown subcommand or wrong number of arguments for '${excerpt(sub)}'. Try PUBSUB HELP.`);
}

/** The pubsub commands, as entries of the command table. */
export const PUBSUB_COMMANDS: readonly CommandSpec[] = [
  { name: 'subscribe', arity: -2, run: subscribe },
  { name: 'unsubscribe', arity: -1, run: unsubscribe },
  { name: 'psubscribe', arity: -2, run: psubscribe },
  { name: 'punsubscribe', arity: -1, run: punsubscribe },
  { name: 'publish', arity: 3, values: (i) => i === 2, run: publish },
  { name: 'pubsub', arity: -2, run: pubsub },
];
