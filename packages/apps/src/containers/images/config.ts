/**
 * Reading an image's `dios-image.json`, container limits and share specs:
 * every field checked, each refusal an EINVAL naming the field
 * (`config.entry`, `limits.memory`, `config.shares[1]`).
 * @module
 */
import { Name, errors, normalizePath } from '@dios/kernel';
import type { ImageConfig, LimitsSpec } from '../api.js';

/** Limits as the kernel takes them (see `ContainerLimits`): absent fields mean no limit. */
export interface ParsedLimits {
  /** Heap limit of each task, in whole MiB. */
  readonly memoryMb?: number;
  /** Most live tasks. */
  readonly maxTasks?: number;
  /** CPU weight. */
  readonly cpuShares?: number;
}

/** A share spec taken apart: what to share (a path in the host's namespace, or an object name) and how. */
export interface ParsedShare {
  /** A path (normalised) or a name (64 lowercase hex digits). */
  readonly target: { readonly path: string } | { readonly name: string };
  /** Whether it is read-only inside the container (`:ro`). */
  readonly readOnly: boolean;
}

const CONFIG_KEYS = ['entry', 'args', 'env', 'limits', 'shares'];
const LIMIT_KEYS = ['memory', 'tasks', 'cpuShares'];
const ENTRY_SUFFIXES = ['.wasm', '.mjs', '.js'];
const MIN_MEMORY_MB = 4;
const MAX_MEMORY_MB = 65536;
const MAX_TASKS = 65536;
const MIN_CPU_SHARES = 2;
const MAX_CPU_SHARES = 262144;
const MIB = 1024 * 1024;
const UNIT_BYTES: Readonly<Record<string, number>> = { b: 1, k: 1024, m: MIB, g: 1024 * MIB };

/**
 * Reads and checks the JSON of a `dios-image.json` (`source` says where it
 * came from, for the messages). Returns the config normalised: the entry
 * path absolute, limits in MiB / tasks / shares, absent fields left out.
 */
export function parseImageConfig(bytes: Uint8Array | string, source: string): ImageConfig {
  const s = 'parseImageConfig';
  const text = typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw errors.EINVAL(s, 'config', `${source} is not JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(raw)) throw errors.EINVAL(s, 'config', `${source} must hold a JSON object`);
  for (const key of Object.keys(raw)) {
    if (!CONFIG_KEYS.includes(key))
      throw errors.EINVAL(s, `config.${key}`, `${source}: unknown field (known: ${CONFIG_KEYS.join(', ')})`);
  }
  const config: { -readonly [K in keyof ImageConfig]: ImageConfig[K] } = { entry: parseEntry(raw.entry, source) };
  if (raw.args !== undefined) config.args = parseArgs(raw.args, source);
  if (raw.env !== undefined) config.env = parseEnv(raw.env, source);
  if (raw.limits !== undefined) {
    if (!isPlainObject(raw.limits)) throw errors.EINVAL(s, 'config.limits', `${source}: expected an object`);
    const limits = parseLimits(raw.limits, 'config.limits');
    config.limits = {
      ...(limits.memoryMb !== undefined && { memory: limits.memoryMb }),
      ...(limits.maxTasks !== undefined && { tasks: limits.maxTasks }),
      ...(limits.cpuShares !== undefined && { cpuShares: limits.cpuShares }),
    };
  }
  if (raw.shares !== undefined) {
    if (!Array.isArray(raw.shares)) throw errors.EINVAL(s, 'config.shares', `${source}: expected an array of strings`);
    raw.shares.forEach((spec, i) => parseShareSpec(spec as string, `config.shares[${i}]`));
    config.shares = [...(raw.shares as string[])];
  }
  return config;
}

/**
 * Checks limits given in a config or on the command line, and gives them as
 * the kernel takes them. `memory`: a number of MiB, or a string with an
 * optional unit `b`, `k`, `m` or `g` (any case; none means MiB), a whole
 * number of MiB from 4 to 65536; `tasks`: 1 to 65536; `cpuShares`: 2 to
 * 262144. EINVAL naming `${argument}.memory` (and so on), or `argument`
 * itself for an unknown field.
 */
export function parseLimits(spec: LimitsSpec, argument: string): ParsedLimits {
  const s = 'parseLimits';
  if (!isPlainObject(spec)) throw errors.EINVAL(s, argument, 'expected an object');
  for (const key of Object.keys(spec)) {
    if (!LIMIT_KEYS.includes(key))
      throw errors.EINVAL(s, `${argument}.${key}`, `unknown limit (known: ${LIMIT_KEYS.join(', ')})`);
  }
  const out: { -readonly [K in keyof ParsedLimits]: ParsedLimits[K] } = {};
  if (spec.memory !== undefined) out.memoryMb = parseMemory(spec.memory, `${argument}.memory`);
  if (spec.tasks !== undefined) out.maxTasks = integerIn(spec.tasks, 1, MAX_TASKS, `${argument}.tasks`);
  if (spec.cpuShares !== undefined)
    out.cpuShares = integerIn(spec.cpuShares, MIN_CPU_SHARES, MAX_CPU_SHARES, `${argument}.cpuShares`);
  return out;
}

/**
 * Takes a share spec apart: `PATH[:ro|:rw]` with PATH absolute (not `/`
 * itself), or `NAME[:ro|:rw]` with NAME 64 lowercase hex digits. Read-write
 * unless `:ro`. EINVAL naming `argument` for anything else (a path may not
 * hold another `:`, so a mistyped mode is not taken for part of it).
 */
export function parseShareSpec(spec: string, argument: string): ParsedShare {
  const s = 'parseShareSpec';
  if (typeof spec !== 'string' || spec.length === 0)
    throw errors.EINVAL(s, argument, `expected PATH[:ro|:rw] or NAME[:ro|:rw], got ${JSON.stringify(spec)}`);
  const mode = /:(ro|rw)$/.exec(spec)?.[1];
  const target = mode === undefined ? spec : spec.slice(0, -3);
  const readOnly = mode === 'ro';
  if (target.includes(':'))
    throw errors.EINVAL(s, argument, `${JSON.stringify(spec)}: the only modes are :ro and :rw, after the path or name`);
  if (target.startsWith('/')) {
    const path = normalizePath(target, s, argument);
    if (path === '/') throw errors.EINVAL(s, argument, 'a path share names an object, not the root /');
    return { target: { path }, readOnly };
  }
  if (/^[0-9a-f]{64}$/.test(target)) return { target: { name: Name.parse(target, s, argument).key }, readOnly };
  throw errors.EINVAL(
    s,
    argument,
    `${JSON.stringify(spec)}: expected an absolute path or a name of 64 lowercase hex digits, then :ro or :rw`,
  );
}

function parseEntry(entry: unknown, source: string): string {
  const s = 'parseImageConfig';
  if (entry === undefined) throw errors.EINVAL(s, 'config.entry', `${source}: required (the program to run)`);
  if (typeof entry !== 'string' || entry.length === 0)
    throw errors.EINVAL(s, 'config.entry', `${source}: expected a path, got ${JSON.stringify(entry)}`);
  const path = normalizePath(entry, s, 'config.entry');
  if (!ENTRY_SUFFIXES.some((suffix) => path.endsWith(suffix) && path.length > suffix.length + 1))
    throw errors.EINVAL(s, 'config.entry', `${source}: ${path} must end in ${ENTRY_SUFFIXES.join(', ')}`);
  return path;
}

function parseArgs(args: unknown, source: string): string[] {
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
    throw errors.EINVAL('parseImageConfig', 'config.args', `${source}: expected an array of strings`);
  return [...args];
}

function parseEnv(env: unknown, source: string): Record<string, string> {
  const s = 'parseImageConfig';
  if (!isPlainObject(env)) throw errors.EINVAL(s, 'config.env', `${source}: expected an object of strings`);
  const out: [string, string][] = [];
  // Sorted, so equal environments give equal manifests.
  for (const key of Object.keys(env).sort()) {
    const value = env[key];
    if (key.length === 0 || key.includes('=') || key.includes('\0'))
      throw errors.EINVAL(s, 'config.env', `${source}: ${JSON.stringify(key)} is not a variable name`);
    if (typeof value !== 'string')
      throw errors.EINVAL(s, `config.env.${key}`, `${source}: expected a string, got ${JSON.stringify(value)}`);
    out.push([key, value]);
  }
  // fromEntries defines own properties: a variable called __proto__ stays a variable.
  return Object.fromEntries(out);
}

function parseMemory(memory: unknown, argument: string): number {
  const s = 'parseLimits';
  let mb: number;
  if (typeof memory === 'number') mb = memory;
  else if (typeof memory === 'string') {
    const m = /^(\d+(?:\.\d+)?)([bkmg])?$/i.exec(memory.trim());
    if (m === null)
      throw errors.EINVAL(s, argument, `${JSON.stringify(memory)}: expected a size such as 64m, 1g or 65536k`);
    mb = (Number(m[1]) * UNIT_BYTES[(m[2] ?? 'm').toLowerCase()]!) / MIB;
  } else throw errors.EINVAL(s, argument, `expected MiB or a size such as 64m, got ${JSON.stringify(memory)}`);
  if (!Number.isInteger(mb)) throw errors.EINVAL(s, argument, `${JSON.stringify(memory)} is not a whole number of MiB`);
  if (mb < MIN_MEMORY_MB || mb > MAX_MEMORY_MB)
    throw errors.EINVAL(s, argument, `${mb} MiB is outside ${MIN_MEMORY_MB}..${MAX_MEMORY_MB} MiB`);
  return mb;
}

function integerIn(value: unknown, min: number, max: number, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw errors.EINVAL(
      'parseLimits',
      argument,
      `expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
