/**
 * CommonJS in a pure thread. On Node 20 `require()` does not pass through the
 * ES module hooks, so the CommonJS loader is guarded where it reads: every
 * entry of the `Module` class that loads, resolves, stats or reads a file asks
 * the same policy as the hooks (pure-policy), and entries that would change
 * the loader itself (`register`, new extensions, replacing a guarded
 * function) are refused. The guarded members are made read-only and
 * non-configurable, so task code cannot put the originals back.
 * @module
 */
import type { createRequire as CreateRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PurePolicy } from './pure-policy.js';

/**
 * Node's Module class, as much of it as the guard touches. The entries the guard keeps the originals of are typed as
 * function values, not methods: they are taken off the class on purpose and called back with `.call(Module, ...)` or
 * `.call(this, ...)`.
 */
interface ModuleClass {
  _load: (this: unknown, request: string, parent: unknown, isMain?: boolean) => unknown;
  _resolveFilename: (this: unknown, request: string, parent: unknown, isMain?: boolean, options?: unknown) => string;
  _findPath: (this: unknown, request: string, paths: readonly string[] | null, isMain?: boolean) => string | false;
  _stat: (this: unknown, path: string) => number;
  _readPackage?: (this: unknown, path: string) => unknown;
  _nodeModulePaths(from: string): string[];
  _extensions: Record<string, (module: unknown, filename: string) => void>;
  _cache: Record<string, unknown>;
  globalPaths: string[];
  isBuiltin(name: string): boolean;
  createRequire: typeof CreateRequire;
  prototype: {
    load: (this: unknown, filename: string) => void;
    _compile: (this: unknown, content: string, filename: string) => unknown;
  };
}

interface Parent {
  id?: string;
  filename?: string | null;
}

const isPath = (request: string) =>
  request.startsWith('/') ||
  request.startsWith('./') ||
  request.startsWith('../') ||
  request === '.' ||
  request === '..';

/** Guards `Module` (reached through `require`, before any task code runs) with `policy`. */
export function guardCommonJs(require: NodeJS.Require, policy: PurePolicy): void {
  const Module = require('node:module') as unknown as ModuleClass;
  const original = {
    load: Module._load,
    resolve: Module._resolveFilename,
    findPath: Module._findPath,
    stat: Module._stat,
    readPackage: Module._readPackage,
    createRequire: Module.createRequire,
    protoLoad: Module.prototype.load,
    compile: Module.prototype._compile,
  };
  const deny = (call: string, what: string, why: string) => policy.denied(call, what.slice(0, 200), why);
  const builtin = (call: string, request: string) => {
    if (!policy.builtinAllowed(request))
      throw deny(
        call,
        request,
        `a pure DIOS task has no host module ${request}; its I/O goes through the system calls`,
      );
  };
  const file = (call: string, path: string) => {
    if (!policy.fileAllowed(path))
      throw deny(call, path, 'a pure DIOS task loads only its own package and the packages it can name');
  };
  const isBuiltin = (request: string) => request.startsWith('node:') || Module.isBuiltin(request);
  const filenameOf = (parent: unknown) => {
    const name = (parent as Parent | null | undefined)?.filename;
    return typeof name === 'string' ? name : undefined;
  };

  const resolveFilename = (request: string, parent: unknown, isMain?: boolean, options?: unknown): string => {
    // Anything but a string could turn into another request on each coercion.
    if (typeof request !== 'string') throw deny('require', typeof request, 'a module request is a string');
    if (isBuiltin(request)) {
      builtin('require', request);
      return original.resolve.call(Module, request, parent, isMain, options);
    }
    if (options !== undefined && options !== null && (options as { paths?: unknown }).paths !== undefined)
      throw deny('require.resolve', request, 'a pure task cannot choose the directories a module is looked up in');
    const from = filenameOf(parent);
    // A path is judged before anything is looked up, so a refusal tells nothing of what exists there.
    if (policy.climbs(request))
      throw deny('require', request, 'a package specifier names a file inside its package, without . or .. segments');
    if (isPath(request)) file('require', resolve(from === undefined ? '/' : dirname(from), request));
    else if (from === undefined || !policy.fileAllowed(from))
      throw deny('require', request, 'a package is looked up only from a module a pure task may load');
    // Lookup paths are computed afresh from the parent's file name, not taken from the parent object.
    const sanitized =
      from === undefined ? parent : { id: from, filename: from, paths: Module._nodeModulePaths(dirname(from)) };
    const filename = original.resolve.call(Module, request, sanitized, isMain);
    file('require', filename);
    return filename;
  };

  const guards: Record<string, unknown> = {
    _load(request: string, parent: unknown, isMain?: boolean) {
      if (typeof request !== 'string') throw deny('require', typeof request, 'a module request is a string');
      if (isBuiltin(request)) {
        builtin('require', request);
        return original.load.call(Module, request, parent, isMain);
      }
      const filename = resolveFilename(request, parent, isMain);
      return original.load.call(Module, filename, parent, isMain);
    },
    _resolveFilename: resolveFilename,
    _findPath(request: string, paths: readonly string[] | null, isMain?: boolean) {
      if (typeof request !== 'string' || (paths !== null && !Array.isArray(paths)))
        throw deny('Module._findPath', typeof request, 'a request is a string, its paths an array');
      if (request.startsWith('/')) file('Module._findPath', request);
      if (policy.climbs(request))
        throw deny(
          'Module._findPath',
          request,
          'a package specifier names a file inside its package, without . or .. segments',
        );
      // Directories outside the policy (Node's global folders, or any the caller names) are not searched, nor a relative request that leads out of the policy from them.
      const searched =
        paths === null
          ? null
          : paths.filter(
              (dir) =>
                policy.fileAllowed(String(dir)) &&
                (!isPath(request) || policy.fileAllowed(resolve(String(dir), request))),
            );
      if (isPath(request) && !request.startsWith('/') && paths !== null && paths.length > 0 && searched!.length === 0)
        file('Module._findPath', resolve(String(paths[0]), request));
      const found = original.findPath.call(Module, request, searched, isMain);
      if (found !== false) file('Module._findPath', found);
      return found;
    },
    // Answers for a file the task may not see as for a missing one (-2, ENOENT).
    _stat(path: string) {
      return policy.fileAllowed(path) ? original.stat.call(Module, path) : -2;
    },
    // Arguments are read once, as strings, and the checked string is what Node gets.
    _readPackage(path: string) {
      const dir = resolve('/', String(path));
      file('Module._readPackage', resolve(dir, 'package.json'));
      return original.readPackage?.call(Module, dir);
    },
    createRequire(filename: string | URL) {
      const name = String(filename);
      const path = name.startsWith('file:') ? fileURLToPath(name) : name;
      file('Module.createRequire', path);
      return original.createRequire.call(Module, path);
    },
    register(specifier: unknown) {
      throw deny('Module.register', String(specifier), 'a pure task cannot add module hooks');
    },
    runMain(main: unknown) {
      throw deny('Module.runMain', String(main), 'a pure task cannot start another program');
    },
    _initPaths() {
      throw deny('Module._initPaths', '', 'a pure task cannot change where modules are looked up');
    },
  };
  for (const [name, value] of Object.entries(guards)) lock(Module, name, value);
  // Modules the worker required before the lock-down (esbuild, loaded with tsx, holds fs and child_process) would be
  // handed to the task as they are, by require() or by an import of the same file: the task loads its own instances.
  for (const key of Object.keys(Module._cache)) delete Module._cache[key];
  lock(Module.prototype, 'load', function (this: unknown, filename: string) {
    file('Module.load', filename);
    return original.protoLoad.call(this, filename);
  });
  // Code compiled under a file name makes Node read that file (assert quotes its caller's source line).
  lock(Module.prototype, '_compile', function (this: unknown, content: string, filename: string) {
    file('Module._compile', filename);
    return original.compile.call(this, content, filename);
  });
  const extensions = Module._extensions;
  for (const ext of Object.keys(extensions)) {
    const handler = extensions[ext]!;
    lock(
      extensions,
      ext,
      ext === '.node'
        ? (_module: unknown, filename: string) => {
            throw deny('require', String(filename), 'a pure task loads no native addon');
          }
        : (module: unknown, filename: string) => {
            file('require', filename);
            return handler(module, filename);
          },
    );
  }
  Object.freeze(extensions);
  Object.freeze(Module.globalPaths);
}

// Replaces a member and fixes it: not writable, not configurable (enumerable as it was: Node lists the extensions with Object.keys).
function lock(target: object, name: string, value: unknown): void {
  const enumerable = Object.getOwnPropertyDescriptor(target, name)?.enumerable ?? false;
  Object.defineProperty(target, name, { value, writable: false, configurable: false, enumerable });
}
