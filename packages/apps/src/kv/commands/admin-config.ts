/**
 * CONFIG GET, SET, RESETSTAT, REWRITE and HELP, with Redis 7.0's replies
 * (config.c): SET takes several pairs and changes nothing unless every one
 * is valid.
 * @module
 */
import { excerpt, latin1 } from '../core/bytes.js';
import { globMatch } from '../core/glob.js';
import { PARAMS, PARAMS_BY_NAME, type Param } from './admin-params.js';
import { SYNTAX_ERROR, type CommandContext } from './context.js';

/** CONFIG's reply to HELP (Redis 7.0's text). */
const HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

/** The value CONFIG GET shows for `p`. */
export function paramValue(p: Param, ctx: CommandContext): string {
  const c = ctx.server.config;
  return p.get?.(c, ctx.server) ?? c.others.get(p.name) ?? p.initial;
}

function configGet(args: Uint8Array[], ctx: CommandContext): void {
  const found = new Map<string, Param>();
  const primaries = new Set<Param>();
  for (let i = 2; i < args.length; i++) {
    const name = latin1(args[i]!);
    if (!/[[*?]/.test(name)) {
      const p = PARAMS_BY_NAME.get(name.toLowerCase());
      if (p !== undefined && !found.has(name)) found.set(name, p);
      continue;
    }
    const pattern = name.toLowerCase();
    for (const p of PARAMS) {
      if (p.hidden === true) continue;
      for (const n of p.alias === undefined ? [p.name] : [p.name, p.alias]) {
        if (primaries.has(p) || found.has(n) || !globMatch(pattern, n)) continue;
        found.set(n, p);
        if (n === p.name) primaries.add(p);
      }
    }
  }
  ctx.out.mapHeader(found.size);
  for (const [name, p] of found) {
    ctx.out.bulkText(name);
    ctx.out.bulkText(paramValue(p, ctx));
  }
}

// Redis' memtoull: digits, then an optional unit.
function memory(text: string): bigint | undefined {
  const m = /^(\d*)(b|k|kb|m|mb|g|gb)?$/i.exec(text);
  if (m === null) return undefined;
  const unit = { b: 1n, k: 1000n, kb: 1024n, m: 1000n ** 2n, mb: 1024n ** 2n, g: 1000n ** 3n, gb: 1024n ** 3n };
  const n =
    BigInt(m[1] === '' ? '0' : m[1]!) * (m[2] === undefined ? 1n : unit[m[2].toLowerCase() as keyof typeof unit]);
  return n < 2n ** 64n ? n : undefined;
}

// Redis' text for a value that is not a number of the parameter's kind.
function intError(k: { memory?: boolean; percent?: boolean; octal?: boolean }): string {
  if (k.memory === true)
    return k.percent === true ? 'argument must be a memory or percent value' : 'argument must be a memory value';
  return k.octal === true
    ? "argument couldn't be parsed as an octal number"
    : "argument couldn't be parsed into an integer";
}

// The canonical value of `text` for `p`, or Redis' error text.
function check(p: Param, text: string): { value: string } | { error: string } {
  const k = p.kind;
  switch (k.type) {
    case 'bool': {
      const t = text.toLowerCase();
      return t === 'yes' || t === 'no' ? { value: t } : { error: "argument must be 'yes' or 'no'" };
    }
    case 'enum': {
      const t = text.toLowerCase();
      return k.values.includes(t)
        ? { value: t }
        : { error: `argument(s) must be one of the following: ${k.values.join(', ')}` };
    }
    case 'int': {
      if (k.percent === true && /^\d+%$/.test(text)) return { value: text };
      let n: bigint | undefined;
      if (k.memory === true) n = memory(text);
      else if (k.octal === true) n = /^[0-7]{1,22}$/.test(text) ? BigInt(`0o${text}`) : undefined;
      else if (/^(0|-?[1-9]\d*)$/.test(text) && text.length <= 20) n = BigInt(text);
      if (n === undefined || (n > 2n ** 63n - 1n && k.max <= 2n ** 63n - 1n)) return { error: intError(k) };
      if (n < k.min || n > k.max) {
        const [lo, hi] = k.octal === true ? [k.min.toString(8), k.max.toString(8)] : [k.min, k.max];
        return { error: `argument must be between ${lo} and ${hi} inclusive` };
      }
      return { value: k.octal === true ? n.toString(8) : String(n) };
    }
    case 'string':
      return { value: text };
    case 'special': {
      const error = k.check(text);
      return error === undefined ? { value: k.canonical?.(text) ?? text } : { error };
    }
  }
}

function configSet(args: Uint8Array[], ctx: CommandContext): void {
  if (args.length % 2 === 1) return ctx.out.error(SYNTAX_ERROR);
  const chosen: Param[] = [];
  let unknown: string | undefined;
  let failed: string | undefined;
  for (let i = 2; i < args.length; i += 2) {
    const name = latin1(args[i]!);
    const p = PARAMS_BY_NAME.get(name.toLowerCase());
    if (p === undefined) {
      unknown ??= name;
      continue;
    }
    if (failed !== undefined || unknown !== undefined) continue;
    if (p.immutable === true)
      failed = `CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`;
    else if (chosen.includes(p))
      failed = `CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`;
    chosen.push(p);
  }
  if (unknown !== undefined)
    return ctx.out.error(`ERR Unknown option or number of arguments for CONFIG SET - '${unknown}'`);
  if (failed !== undefined) return ctx.out.error(`ERR ${failed}`);
  const values: string[] = [];
  for (let i = 0; i < chosen.length; i++) {
    const p = chosen[i]!;
    const r = check(p, latin1(args[3 + 2 * i]!));
    if ('error' in r)
      return ctx.out.error(`ERR CONFIG SET failed (possibly related to argument '${p.name}') - ${r.error}`);
    values.push(r.value);
  }
  // Every value is valid: now apply them all.
  const config = ctx.server.config;
  for (let i = 0; i < chosen.length; i++) {
    const p = chosen[i]!;
    if (p.set !== undefined) p.set(config, values[i]!);
    else config.others.set(p.name, values[i]!);
  }
  ctx.out.simple('OK');
}

/** CONFIG and its subcommands. */
export function config(args: Uint8Array[], ctx: CommandContext): void {
  const sub = excerpt(args[1]!).toLowerCase();
  const n = args.length;
  const arity = (min: number, exact: boolean) => (exact ? n === min : n >= min);
  const wrong = () => ctx.out.error(`ERR wrong number of arguments for 'config|${sub}' command`);
  switch (sub) {
    case 'get':
      return arity(3, false) ? configGet(args, ctx) : wrong();
    case 'set':
      return arity(4, false) ? configSet(args, ctx) : wrong();
    case 'resetstat':
      if (!arity(2, true)) return wrong();
      ctx.server.commandsProcessed = 0;
      ctx.keys.expiredKeys = 0;
      for (const k of Object.keys(ctx.server.disconnections) as (keyof typeof ctx.server.disconnections)[])
        ctx.server.disconnections[k] = 0;
      return ctx.out.simple('OK');
    case 'rewrite':
      return arity(2, true) ? ctx.out.error('ERR The server is running without a config file') : wrong();
    case 'help':
      if (!arity(2, true)) return wrong();
      ctx.out.arrayHeader(HELP.length);
      for (const line of HELP) ctx.out.simple(line);
      return;
    default:
      ctx.out.error(`ERR unknown subcommand '${excerpt(args[1]!)}'. Try CONFIG HELP.`);
  }
}
