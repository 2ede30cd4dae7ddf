/**
 * TypeScript programs in worker threads: Node cannot load .ts modules by
 * itself, so a worker that is to run one registers tsx (a development
 * dependency of projects written in TypeScript) first.
 * @module
 */

/** Whether a module URL names TypeScript source. */
export function isTypeScript(url: string): boolean {
  return /\.[cm]?tsx?$/.test(url.split(/[?#]/)[0]!);
}

let registered: Promise<void> | undefined;

/** Registers tsx's module hooks in this thread (once); `already` when the thread was started with them. */
export function loadTypeScript(already = false): Promise<void> {
  if (already) registered ??= Promise.resolve();
  // The specifier is a variable so the build leaves tsx out of the bundle.
  const api = 'tsx/esm/api';
  registered ??= (import(api) as Promise<{ register: () => void }>).then((m) => m.register());
  return registered;
}
