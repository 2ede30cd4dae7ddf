/**
 * Stream commands (XADD, XLEN, XRANGE, XREVRANGE, XGROUP CREATE, XREAD,
 * XREADGROUP). Replies as Redis 7.0's t_stream.c. Not yet: pending lists
 * (XACK, XPENDING, XCLAIM), trimming, XINFO.
 * @module
 */
import { isWord, latin1 } from '../core/bytes.js';
import { compareIds, idText, StreamValue, type StreamEntry, type StreamGroup, type StreamId } from '../core/stream.js';
import type { CommandContext, CommandSpec } from './context.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const BAD_ID = 'ERR Invalid stream ID specified as stream command argument';
const MAX = (1n << 64n) - 1n;

/** The stream at `key`: undefined when absent, null after a WRONGTYPE error. */
function streamAt(key: string, ctx: CommandContext): StreamValue | undefined | null {
  const v = ctx.keys.get(key)?.value;
  if (v === undefined) return undefined;
  if (v instanceof StreamValue) return v;
  ctx.out.error(WRONGTYPE);
  return null;
}

/** Parses "ms[-seq]"; a missing seq is `missingSeq`. Undefined when malformed. */
function parseId(text: string, missingSeq: bigint): StreamId | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (m === null) return undefined;
  const ms = BigInt(m[1]!);
  const seq = m[2] === undefined ? missingSeq : BigInt(m[2]);
  if (ms > MAX || seq > MAX) return undefined;
  return { ms, seq };
}

function writeEntry(e: StreamEntry, ctx: CommandContext): void {
  ctx.out.arrayHeader(2);
  ctx.out.bulkText(idText(e.id));
  ctx.out.arrayHeader(e.fields.length);
  for (const f of e.fields) ctx.out.bulk(f);
}

function xadd(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[1]!);
  let i = 2;
  let mkstream = true;
  if (isWord(args[i]!, 'NOMKSTREAM')) {
    mkstream = false;
    i++;
  }
  if (i >= args.length) return ctx.out.error("ERR wrong number of arguments for 'xadd' command");
  const idArg = latin1(args[i]!);
  const nfields = args.length - i - 1;
  if (nfields <= 0 || nfields % 2 !== 0) return ctx.out.error("ERR wrong number of arguments for 'xadd' command");
  let explicit: StreamId | undefined;
  if (idArg !== '*') {
    explicit = parseId(idArg, 0n);
    if (explicit === undefined) return ctx.out.error(BAD_ID);
    if (explicit.ms === 0n && explicit.seq === 0n)
      return ctx.out.error('ERR The ID specified in XADD must be greater than 0-0');
  }
  let s = streamAt(key, ctx);
  if (s === null) return;
  if (s === undefined && !mkstream) return ctx.out.bulk(null);
  const last = s?.lastId ?? { ms: 0n, seq: 0n };
  let id: StreamId;
  if (explicit !== undefined) {
    if (compareIds(explicit, last) <= 0)
      return ctx.out.error('ERR The ID specified in XADD is equal or smaller than the target stream top item');
    id = explicit;
  } else {
    const now = BigInt(Date.now());
    if (now > last.ms) id = { ms: now, seq: 0n };
    else if (last.seq === MAX)
      return ctx.out.error('ERR The stream has exhausted the last possible ID, unable to add more items');
    else id = { ms: last.ms, seq: last.seq + 1n };
  }
  if (s === undefined) ctx.keys.set(key, (s = new StreamValue()));
  s.entries.push({ id, fields: args.slice(i + 1).map((a) => a.slice()) });
  s.lastId = id;
  const text = idText(id);
  ctx.log([...args.slice(0, i), text, ...args.slice(i + 1)]);
  ctx.notify('t', 'xadd', key);
  ctx.out.bulkText(text);
}

function xlen(args: Uint8Array[], ctx: CommandContext): void {
  const s = streamAt(latin1(args[1]!), ctx);
  if (s !== null) ctx.out.integer(s?.size ?? 0);
}

/** A range bound: "-", "+", an ID, or "(" before an ID (exclusive). */
function parseBound(text: string, low: boolean): StreamId | undefined {
  if (text === '-') return { ms: 0n, seq: 0n };
  if (text === '+') return { ms: MAX, seq: MAX };
  const exclusive = text.startsWith('(');
  const id = parseId(exclusive ? text.slice(1) : text, low ? 0n : MAX);
  if (id === undefined || !exclusive) return id;
  if (low)
    return id.seq === MAX ? (id.ms === MAX ? undefined : { ms: id.ms + 1n, seq: 0n }) : { ms: id.ms, seq: id.seq + 1n };
  return id.seq === 0n ? (id.ms === 0n ? undefined : { ms: id.ms - 1n, seq: MAX }) : { ms: id.ms, seq: id.seq - 1n };
}

function xrange(args: Uint8Array[], ctx: CommandContext): void {
  const rev = args[0]!.length === 9; // XREVRANGE
  const key = latin1(args[1]!);
  const lo = parseBound(latin1(args[rev ? 3 : 2]!), true);
  const hi = parseBound(latin1(args[rev ? 2 : 3]!), false);
  if (lo === undefined || hi === undefined) return ctx.out.error(BAD_ID);
  let count = Infinity;
  if (args.length === 6 && isWord(args[4]!, 'COUNT')) {
    const n = Number(latin1(args[5]!));
    if (!Number.isSafeInteger(n)) return ctx.out.error('ERR value is not an integer or out of range');
    count = n < 0 ? 0 : n;
  } else if (args.length !== 4) return ctx.out.error('ERR syntax error');
  const s = streamAt(key, ctx);
  if (s === null) return;
  let hits = (s?.entries ?? []).filter((e) => compareIds(e.id, lo) >= 0 && compareIds(e.id, hi) <= 0);
  if (rev) hits = hits.reverse();
  if (count === 0) hits = [];
  hits = hits.slice(0, count);
  ctx.out.arrayHeader(hits.length);
  for (const e of hits) writeEntry(e, ctx);
}

function xgroupSetid(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[2]!);
  const group = latin1(args[3]!);
  const s = streamAt(key, ctx);
  if (s === null) return;
  if (s === undefined)
    return ctx.out.error(
      'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
    );
  const g = s.groups.get(group);
  if (g === undefined) return ctx.out.error(`NOGROUP No such consumer group '${group}' for key name '${key}'`);
  const idArg = latin1(args[4]!);
  const id = idArg === '$' ? s.lastId : parseId(idArg, 0n);
  if (id === undefined) return ctx.out.error(BAD_ID);
  g.lastId = id;
  ctx.log(['XGROUP', 'SETID', key, group, idText(id)]);
  ctx.notify('t', 'xgroup-setid', key);
  ctx.out.simple('OK');
}

/** The group `group` of the stream at `key`; undefined after writing the error. */
function groupAt(key: string, group: string, ctx: CommandContext): StreamGroup | undefined {
  const s = streamAt(key, ctx);
  if (s === null) return undefined;
  const g = s?.groups.get(group);
  if (g === undefined) ctx.out.error(`NOGROUP No such key '${key}' or consumer group '${group}'`);
  return g;
}

/** Adds `name` to `g` when new, as streamCreateConsumer (its event and log). */
function ensureConsumer(g: StreamGroup, key: string, group: string, name: string, ctx: CommandContext): boolean {
  if (g.consumers.has(name)) return false;
  g.consumers.add(name);
  ctx.log(['XGROUP', 'CREATECONSUMER', key, group, name]);
  ctx.notify('t', 'xgroup-createconsumer', key);
  return true;
}

/** XGROUP CREATECONSUMER and DELCONSUMER. */
function xgroupConsumer(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[2]!);
  const group = latin1(args[3]!);
  const name = latin1(args[4]!);
  const g = groupAt(key, group, ctx);
  if (g === undefined) return;
  if (isWord(args[1]!, 'CREATECONSUMER')) return ctx.out.integer(ensureConsumer(g, key, group, name, ctx) ? 1 : 0);
  if (g.consumers.delete(name)) {
    ctx.log(args);
    ctx.notify('t', 'xgroup-delconsumer', key);
  }
  ctx.out.integer(0); // no pending lists yet: nothing was pending
}

/** XCLAIM and XAUTOCLAIM, without pending lists: they create the consumer and claim nothing. */
function xclaim(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[1]!);
  const group = latin1(args[2]!);
  const g = groupAt(key, group, ctx);
  if (g === undefined) return;
  ensureConsumer(g, key, group, latin1(args[3]!), ctx);
  if (args[0]!.length === 10) {
    ctx.out.arrayHeader(3);
    ctx.out.bulkText('0-0');
    ctx.out.arrayHeader(0);
    ctx.out.arrayHeader(0);
  } else ctx.out.arrayHeader(0);
}

function xgroup(args: Uint8Array[], ctx: CommandContext): void {
  if (isWord(args[1]!, 'SETID') && args.length === 5) return xgroupSetid(args, ctx);
  if ((isWord(args[1]!, 'CREATECONSUMER') || isWord(args[1]!, 'DELCONSUMER')) && args.length === 5)
    return xgroupConsumer(args, ctx);
  if (!isWord(args[1]!, 'CREATE') || args.length < 5)
    return ctx.out.error(`ERR unknown subcommand '${latin1(args[1]!)}'. Try XGROUP HELP.`);
  const key = latin1(args[2]!);
  const group = latin1(args[3]!);
  const mkstream = args.length === 6 && isWord(args[5]!, 'MKSTREAM');
  if (args.length > 5 && !mkstream) return ctx.out.error('ERR syntax error');
  let s = streamAt(key, ctx);
  if (s === null) return;
  if (s === undefined && !mkstream)
    return ctx.out.error(
      'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
    );
  const idArg = latin1(args[4]!);
  const id = idArg === '$' ? (s?.lastId ?? { ms: 0n, seq: 0n }) : parseId(idArg, 0n);
  if (id === undefined) return ctx.out.error(BAD_ID);
  if (s?.groups.has(group)) return ctx.out.error('BUSYGROUP Consumer Group name already exists');
  if (s === undefined) ctx.keys.set(key, (s = new StreamValue()));
  s.groups.set(group, { lastId: id, consumers: new Set() });
  ctx.log(['XGROUP', 'CREATE', key, group, idText(id), 'MKSTREAM']);
  ctx.notify('t', 'xgroup-create', key);
  ctx.out.simple('OK');
}

/** XREAD and XREADGROUP: options, then STREAMS keys ids. */
function xread(args: Uint8Array[], ctx: CommandContext): void {
  const grouped = args[0]!.length === 10;
  let group: string | undefined;
  let count = Infinity;
  let blockMs = -1;
  let i = 1;
  let streamsAt = -1;
  for (; i < args.length; i++) {
    const more = args.length - i - 1;
    if (isWord(args[i]!, 'STREAMS')) {
      streamsAt = i + 1;
      break;
    } else if (isWord(args[i]!, 'COUNT') && more >= 1) {
      const n = Number(latin1(args[++i]!));
      if (!Number.isSafeInteger(n)) return ctx.out.error('ERR value is not an integer or out of range');
      count = n <= 0 ? Infinity : n;
    } else if (isWord(args[i]!, 'BLOCK') && more >= 1) {
      const n = Number(latin1(args[++i]!));
      if (!Number.isSafeInteger(n)) return ctx.out.error('ERR timeout is not an integer or out of range');
      if (n < 0) return ctx.out.error('ERR timeout is negative');
      blockMs = n;
    } else if (grouped && isWord(args[i]!, 'GROUP') && more >= 2) {
      group = latin1(args[i + 1]!);
      i += 2;
    } else if (grouped && isWord(args[i]!, 'NOACK')) {
      // Without pending lists every read is NOACK.
    } else return ctx.out.error('ERR syntax error');
  }
  if (streamsAt < 0) return ctx.out.error('ERR syntax error');
  const n = (args.length - streamsAt) / 2;
  if (!Number.isInteger(n) || n === 0)
    return ctx.out.error(
      `ERR Unbalanced '${grouped ? 'xreadgroup' : 'xread'}' list of streams: for each stream key an ID or '${grouped ? '>' : '$'}' must be specified.`,
    );
  if (grouped && group === undefined) return ctx.out.error('ERR Missing GROUP option for XREADGROUP');
  const keys: string[] = [];
  const from: (StreamId | '>')[] = [];
  for (let k = 0; k < n; k++) {
    const key = latin1(args[streamsAt + k]!);
    const s = streamAt(key, ctx);
    if (s === null) return;
    const idArg = latin1(args[streamsAt + n + k]!);
    let id: StreamId | '>' | undefined;
    if (grouped) {
      if (s === undefined || !s.groups.has(group!))
        return ctx.out.error(
          `NOGROUP No such key '${key}' or consumer group '${group!}' in XREADGROUP with GROUP option`,
        );
      if (idArg === '>') id = '>';
      else id = parseId(idArg, 0n);
    } else if (idArg === '$') id = s?.lastId ?? { ms: 0n, seq: 0n };
    else id = parseId(idArg, 0n);
    if (id === undefined) return ctx.out.error(BAD_ID);
    keys.push(key);
    from.push(id);
  }
  if (grouped) {
    const consumer = latin1(args[args.findIndex((a) => isWord(a, 'GROUP')) + 2]!);
    for (const key of keys) {
      const s = ctx.keys.get(key)!.value as StreamValue;
      ensureConsumer(s.groups.get(group!)!, key, group!, consumer, ctx);
    }
  }
  const serve = (c: CommandContext): boolean => {
    const found: [string, StreamEntry[]][] = [];
    for (let k = 0; k < keys.length; k++) {
      const v = c.keys.get(keys[k]!)?.value;
      if (!(v instanceof StreamValue)) continue;
      const g = group === undefined ? undefined : v.groups.get(group);
      const f = from[k]!;
      if (f !== '>' && grouped) continue; // history: no pending lists yet, so always empty
      const after = f === '>' ? g?.lastId : f;
      if (after === undefined) continue;
      const hits: StreamEntry[] = [];
      for (const e of v.entries) {
        if (hits.length >= count) break;
        if (compareIds(e.id, after) > 0) hits.push(e);
      }
      if (hits.length === 0) continue;
      if (g !== undefined) {
        g.lastId = hits[hits.length - 1]!.id;
        c.log(['XGROUP', 'SETID', keys[k]!, group!, idText(g.lastId)]);
      }
      found.push([keys[k]!, hits]);
    }
    if (found.length === 0) return false;
    if (c.out.protocol === 3) c.out.mapHeader(found.length);
    else c.out.arrayHeader(found.length);
    for (const [key, hits] of found) {
      if (c.out.protocol !== 3) c.out.arrayHeader(2);
      c.out.bulkText(key);
      c.out.arrayHeader(hits.length);
      for (const e of hits) writeEntry(e, c);
    }
    return true;
  };
  if (serve(ctx)) return;
  if (blockMs < 0) return ctx.out.nullArray();
  ctx.block({
    keys,
    deadline: blockMs === 0 ? 0 : ctx.keys.now() + blockMs,
    retry: (c) => serve(c),
    timedOut: (c) => c.out.nullArray(),
  });
}

function xdel(args: Uint8Array[], ctx: CommandContext): void {
  const key = latin1(args[1]!);
  const ids: StreamId[] = [];
  for (let i = 2; i < args.length; i++) {
    const id = parseId(latin1(args[i]!), 0n);
    if (id === undefined) return ctx.out.error(BAD_ID);
    ids.push(id);
  }
  const s = streamAt(key, ctx);
  if (s === null) return;
  if (s === undefined) return ctx.out.integer(0);
  const before = s.entries.length;
  s.entries = s.entries.filter((e) => !ids.some((id) => compareIds(id, e.id) === 0));
  const deleted = before - s.entries.length;
  if (deleted > 0) {
    ctx.log(args);
    ctx.notify('t', 'xdel', key);
  }
  ctx.out.integer(deleted);
}

/** XINFO STREAM key [FULL]: a subset of Redis' fields (no radix tree sizes, no consumers). */
function xinfo(args: Uint8Array[], ctx: CommandContext): void {
  if (!isWord(args[1]!, 'STREAM') || args.length < 3)
    return ctx.out.error(`ERR unknown subcommand '${latin1(args[1]!)}'. Try XINFO HELP.`);
  const key = latin1(args[2]!);
  const s = streamAt(key, ctx);
  if (s === null) return;
  if (s === undefined) return ctx.out.error('ERR no such key');
  const full = args.length >= 4 && isWord(args[3]!, 'FULL');
  const out = ctx.out;
  out.mapHeader(full ? 4 : 5);
  out.bulkText('length');
  out.integer(s.size);
  out.bulkText('last-generated-id');
  out.bulkText(idText(s.lastId));
  if (full) {
    out.bulkText('entries');
    out.arrayHeader(s.entries.length);
    for (const e of s.entries) writeEntry(e, ctx);
    out.bulkText('groups');
    out.arrayHeader(s.groups.size);
    for (const [name, g] of s.groups) {
      out.mapHeader(2);
      out.bulkText('name');
      out.bulkText(name);
      out.bulkText('last-delivered-id');
      out.bulkText(idText(g.lastId));
    }
    return;
  }
  out.bulkText('groups');
  out.integer(s.groups.size);
  for (const [label, e] of [
    ['first-entry', s.entries[0]],
    ['last-entry', s.entries[s.entries.length - 1]],
  ] as const) {
    out.bulkText(label);
    if (e === undefined) out.bulk(null);
    else writeEntry(e, ctx);
  }
}

/** The stream commands, as entries of the command table. */
export const STREAM_COMMANDS: readonly CommandSpec[] = [
  { name: 'xadd', arity: -5, keys: [1, 1, 1], values: (i) => i >= 3, run: xadd },
  { name: 'xlen', arity: 2, keys: [1, 1, 1], run: xlen },
  { name: 'xrange', arity: -4, keys: [1, 1, 1], run: xrange },
  { name: 'xrevrange', arity: -4, keys: [1, 1, 1], run: xrange },
  { name: 'xgroup', arity: -2, keys: [2, 2, 1], run: xgroup },
  { name: 'xclaim', arity: -6, keys: [1, 1, 1], run: xclaim },
  { name: 'xautoclaim', arity: -6, keys: [1, 1, 1], run: xclaim },
  { name: 'xdel', arity: -3, keys: [1, 1, 1], run: xdel },
  { name: 'xinfo', arity: -2, keys: [2, 2, 1], run: xinfo },
  { name: 'xread', arity: -4, keys: streamKeys, run: xread },
  { name: 'xreadgroup', arity: -7, keys: streamKeys, run: xread },
];

/** Key positions of XREAD/XREADGROUP: the first half of what follows STREAMS. */
function streamKeys(args: Uint8Array[]): number[] {
  const at = args.findIndex((a, i) => i > 0 && isWord(a, 'STREAMS'));
  if (at < 0) return [];
  const n = Math.floor((args.length - at - 1) / 2);
  return Array.from({ length: n }, (_, k) => at + 1 + k);
}
