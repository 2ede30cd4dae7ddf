/**
 * What a pure task may load, as one module's source: it is registered as the
 * thread's ES module hooks (they run on Node's loader thread, so they are
 * plain JavaScript in a data: URL) and imported once more in the task's
 * thread, where the CommonJS guard (pure-cjs) asks the same questions. One
 * source, so both loaders follow one rule:
 *
 * - a `node:` built-in loads only when it is in {@link PURE_BUILTINS};
 * - a `data:` module loads (it is code the task already holds);
 * - a file loads only when its real path lies in the program's package (the
 *   nearest directory with a package.json above the program module), in a
 *   `node_modules` directory on that package's lookup path, or in a package
 *   linked there (a workspace sibling): the code the program can name. Never a
 *   `.node` addon; never before the program is known; nothing else.
 * @module
 */

/** Built-in modules a pure task may import: computation only, no host access (members that do reach the host are trimmed, see pure-builtins). */
export const PURE_BUILTINS: readonly string[] = [
  'assert',
  'assert/strict',
  'buffer',
  'crypto',
  'events',
  'path',
  'path/posix',
  'path/win32',
  'punycode',
  'querystring',
  'stream',
  'stream/consumers',
  'stream/promises',
  'stream/web',
  'string_decoder',
  'timers',
  'timers/promises',
  'url',
  'util',
  'util/types',
  'zlib',
];

/** The policy as the task's thread uses it (the exports of {@link policySource}'s module). */
export interface PurePolicy {
  /** Whether built-in `name` (with or without `node:`) may load. */
  builtinAllowed(name: string): boolean;
  /** Whether the file at `path` may load (see the module comment). */
  fileAllowed(path: string): boolean;
  /** Whether a package specifier (not a path, not a URL) has a `.` or `..` segment: it would be looked up outside its package. */
  climbs(specifier: string): boolean;
  /** Fixes the program module (its URL; a non-file program gets no files): only the first call counts, later ones return false. */
  setProgram(url: string): boolean;
  /** The EACCES error both loaders throw. */
  denied(call: string, what: string, why: string): Error & { code: 'EACCES' };
}

/** The policy module's source (JavaScript): the policy functions, and `initialize`/`resolve`/`load` hooks for module.register. */
export function policySource(): string {
  return `
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const builtins = new Set(${JSON.stringify(PURE_BUILTINS)});
let root;
let nodeModules = [];
const linked = new Map();

export function denied(call, what, why) {
  const error = new Error('EACCES: permission denied, ' + call + '(' + what + '): ' + why);
  error.code = 'EACCES';
  // An own constructor lets Node carry the code across from the loader thread (under frozen intrinsics it finds none on the prototype and sends only the message).
  Object.defineProperty(error, 'constructor', { value: Error });
  return error;
}

export function builtinAllowed(name) {
  return builtins.has(name.startsWith('node:') ? name.slice(5) : name);
}

function real(path) {
  try {
    return realpathSync(path);
  } catch {
    return resolvePath('/', path);
  }
}

function inside(path, dir) {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

function packageRoot(file) {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

let programSet = false;

export function setProgram(url) {
  if (programSet || typeof url !== 'string') return false;
  programSet = true;
  // A program that is not a file (a data: module) has no package: no file loads.
  if (!url.startsWith('file:')) return true;
  const file = real(fileURLToPath(url));
  root = packageRoot(file) ?? dirname(file);
  nodeModules = [];
  for (let dir = root; ; dir = dirname(dir)) {
    nodeModules.push(join(dir, 'node_modules'));
    if (dirname(dir) === dir) break;
  }
  return true;
}

// A package outside the lookup path is allowed when a node_modules on it links to it by the package's name.
function isLinked(pkg) {
  let ok = linked.get(pkg);
  if (ok !== undefined) return ok;
  ok = false;
  try {
    const name = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).name;
    if (typeof name === 'string' && /^(@[\\w.-]+\\/)?[\\w.-]+$/.test(name)) ok = nodeModules.some((nm) => real(join(nm, name)) === pkg);
  } catch {
    ok = false;
  }
  linked.set(pkg, ok);
  return ok;
}

export function fileAllowed(path) {
  if (root === undefined || typeof path !== 'string' || /\\.node$/i.test(path)) return false;
  const file = real(path);
  if (/\\.node$/i.test(file)) return false;
  if (inside(file, root) || nodeModules.some((nm) => inside(file, nm))) return true;
  const pkg = packageRoot(file);
  return pkg !== undefined && isLinked(pkg);
}

// A package specifier with a . or .. segment (%2e counts: the URL parser decodes it) climbs out of its package, and
// Node looks the result up before the hooks see it: whether a host file exists would show in the error.
export function climbs(specifier) {
  if (isPath(specifier) || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) return false;
  return specifier.split(/[\\\\/]/).some((segment) => /^(\\.|%2e){1,2}$/i.test(segment));
}

function isPath(specifier) {
  return specifier.startsWith('/') || specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..' || specifier.startsWith('file:');
}

function check(url, specifier) {
  if (url.startsWith('data:')) return;
  if (url.startsWith('node:')) {
    if (builtinAllowed(url)) return;
    throw denied('import', specifier, 'a pure DIOS task has no host module ' + url + '; its I/O goes through the system calls');
  }
  if (url.startsWith('file:') && fileAllowed(fileURLToPath(url))) return;
  throw denied('import', specifier, 'a pure DIOS task loads only its own package and the packages it can name, not ' + url.slice(0, 200));
}

export function initialize(data) {
  const port = data && data.port;
  if (port === undefined) return;
  port.on('message', (m) => port.postMessage({ ok: setProgram(m && m.program) }));
  port.unref();
}

export async function resolve(specifier, context, next) {
  // A path is judged before anything is looked up, so a refusal tells nothing of what exists there.
  if (climbs(specifier)) throw denied('import', specifier.slice(0, 200), 'a package specifier names a file inside its package, without . or .. segments');
  if (isPath(specifier)) {
    let url;
    try {
      url = new URL(specifier, context.parentURL);
    } catch {
      url = undefined;
    }
    if (url !== undefined && url.protocol === 'file:' && !fileAllowed(fileURLToPath(url))) check(url.href, specifier);
  }
  const result = await next(specifier, context);
  check(result.url, specifier);
  return { ...result, url: own(result.url) };
}

// Every file or data: module the task loads is an instance of its own, under its own URL: the same file loaded by
// the worker before the lock-down (tsx, esbuild, the kernel's modules) is a live instance holding the host modules it
// imported (esbuild's fs and child_process), and Node hands out a cached instance by URL without asking the hooks
// to load it again. A query does not change what is read (a file's path, a data: URL's body).
function own(url) {
  if (!url.startsWith('file:') && !url.startsWith('data:')) return url;
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  if (/[?&]dios-pure(&|$)/.test(base)) return url;
  return base + (base.includes('?') ? '&' : '?') + 'dios-pure' + (hash < 0 ? '' : url.slice(hash));
}

export async function load(url, context, next) {
  check(url, url);
  return next(url, context);
}
`;
}

/** The policy module as a data: URL (for module.register and for import). */
export function policyUrl(): string {
  return `data:text/javascript,${encodeURIComponent(policySource())}`;
}
