/**
 * Allowed built-ins, trimmed where they still reach the host or state shared
 * by every thread of the process, and the prototypes through which task code
 * could catch Node's own process object, hardened. The ECMAScript intrinsics
 * themselves are frozen by Node (`--frozen-intrinsics`, given to pure threads).
 * @module
 */
import type { PurePolicy } from './pure-policy.js';

/**
 * Fixes an object against change while keeping assignment to instances that
 * inherit from it working: each configurable data property becomes an
 * accessor whose setter defines an own property on the instance (without it,
 * `this._events = ...` in a subclass would fail on a frozen prototype), and
 * each accessor is made non-configurable.
 */
export function harden(target: object): void {
  for (const key of Reflect.ownKeys(target)) {
    const desc = Object.getOwnPropertyDescriptor(target, key)!;
    if (!desc.configurable) continue;
    // An accessor keeps its getter and setter, fixed: redefined, it would be called with Node's objects as `this`.
    if (!('value' in desc)) {
      Object.defineProperty(target, key, { configurable: false });
      continue;
    }
    const value: unknown = desc.value;
    Object.defineProperty(target, key, {
      get: () => value,
      set(this: object, next: unknown) {
        if (this === target)
          throw new TypeError(`Cannot assign to read only property '${String(key)}' of a hardened object`);
        Object.defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
      },
      enumerable: desc.enumerable ?? false,
      configurable: false,
    });
  }
  Object.preventExtensions(target);
}

/** Hardens a prototype chain up to (not including) Object.prototype, which Node's frozen intrinsics already fix. */
export function hardenChain(start: object | null): void {
  for (let p = start; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) harden(p);
}

/**
 * Trims allowed built-ins (their exports objects are shared by `require` and
 * `import`; syncBuiltinESMExports updates the ES views):
 * crypto.setEngine (dlopen of a library), crypto.setFips (process-wide
 * OpenSSL state; Node refuses it in a worker too, and the crypto.fips setter
 * goes there), the process-wide Blob URL registry
 * (URL.createObjectURL, buffer.resolveObjectURL: another thread's data by id),
 * uninitialized buffers (Buffer.allocUnsafe, allocUnsafeSlow, SlowBuffer and
 * the pool: freed memory of the process) and path.resolve's use of the host's
 * working directory (resolved against /).
 */
export function trimBuiltins(require: NodeJS.Require, policy: PurePolicy): void {
  const refuse = (call: string, why: string) => () => {
    throw policy.denied(call, '', why);
  };
  const crypto = require('node:crypto') as Record<string, unknown>;
  fix(crypto, 'setEngine', refuse('crypto.setEngine', 'a pure task loads no native library'));
  fix(crypto, 'setFips', refuse('crypto.setFips', 'FIPS mode is process-wide state'));
  const registry = 'the Blob URL registry is shared by every thread of the host process';
  fix(
    require('node:buffer') as Record<string, unknown>,
    'resolveObjectURL',
    refuse('buffer.resolveObjectURL', registry),
  );
  fix(URL as unknown as Record<string, unknown>, 'createObjectURL', refuse('URL.createObjectURL', registry));
  fix(URL as unknown as Record<string, unknown>, 'revokeObjectURL', refuse('URL.revokeObjectURL', registry));
  // Buffers Node makes without zeroing hold bytes the process's allocator freed, perhaps in another thread (the
  // kernel's, an earlier task's), and a pool's unused rest is reachable through .buffer (Node's --zero-fill-buffers
  // is process-wide only): a pure thread's unsafe buffers are zeroed, and it keeps no pool.
  const buffer = require('node:buffer') as Record<string, unknown> & { Buffer: typeof Buffer };
  const zeroed = (size: number) => buffer.Buffer.alloc(size);
  fix(buffer.Buffer as unknown as Record<string, unknown>, 'allocUnsafe', zeroed);
  fix(buffer.Buffer as unknown as Record<string, unknown>, 'allocUnsafeSlow', zeroed);
  fix(buffer, 'SlowBuffer', function SlowBuffer(size: number) {
    return zeroed(size);
  });
  fix(buffer.Buffer as unknown as Record<string, unknown>, 'poolSize', 0);
  const path = require('node:path') as typeof import('node:path');
  for (const flavour of [path.posix, path.win32]) {
    // Kept before the lock-down replaces it; Node's resolve uses no `this`.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- the original, kept on purpose (see above)
    const resolve = flavour.resolve;
    const root = flavour === path.win32 ? '\\' : '/';
    fix(flavour as unknown as Record<string, unknown>, 'resolve', (...paths: string[]) => resolve(root, ...paths));
  }
  (require('node:module') as { syncBuiltinESMExports(): void }).syncBuiltinESMExports();
}

/**
 * Hardens the stream classes and their state objects. Node's own stdio
 * streams of the thread are instances: a patched `Writable.prototype.write`
 * would be called with `this` = the real stderr, whose internal port talks
 * to the kernel's thread.
 */
export function hardenStreams(require: NodeJS.Require): void {
  const stream = require('node:stream') as typeof import('node:stream');
  for (const cls of [
    stream.Stream,
    stream.Readable,
    stream.Writable,
    stream.Duplex,
    stream.Transform,
    stream.PassThrough,
  ])
    hardenChain(cls.prototype);
  const sample = new stream.Duplex();
  for (const state of [
    (sample as unknown as { _readableState: object })._readableState,
    (sample as unknown as { _writableState: object })._writableState,
  ]) {
    hardenChain(Object.getPrototypeOf(state) as object);
  }
  sample.destroy();
}

function fix(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: false, configurable: false, enumerable: true });
}
