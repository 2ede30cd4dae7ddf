/**
 * The console of a pure task: a plain object (no host console behind it, so
 * no `_stdout`, no prototype to climb to one) whose methods format their
 * arguments as Node's do and write the text to the DIOS console through the
 * task's own system calls.
 * @module
 */
import { format, inspect } from 'node:util';

/** Builds the console; `write` sends one piece of text to the task's console. */
export function pureConsole(write: (text: string) => void): Console {
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  let indent = '';
  const out = (...args: unknown[]) =>
    write(
      `${indent}${format(...args)
        .split('\n')
        .join(`\n${indent}`)}\n`,
    );
  const methods: Record<string, (...args: unknown[]) => void> = {
    log: out,
    info: out,
    debug: out,
    warn: out,
    error: out,
    trace: (...args) => out('Trace:', ...args),
    dir: (value, options) => out(inspect(value, options as object)),
    dirxml: out,
    table: out,
    assert: (value, ...args) => {
      if (!value) out('Assertion failed', ...args);
    },
    count: (label = 'default') => {
      const n = (counts.get(String(label)) ?? 0) + 1;
      counts.set(String(label), n);
      out(`${String(label)}: ${n}`);
    },
    countReset: (label = 'default') => void counts.delete(String(label)),
    time: (label = 'default') => void timers.set(String(label), performance.now()),
    timeLog: (label = 'default', ...args) =>
      out(
        `${String(label)}: ${(performance.now() - (timers.get(String(label)) ?? performance.now())).toFixed(3)}ms`,
        ...args,
      ),
    timeEnd: (label = 'default') => {
      out(`${String(label)}: ${(performance.now() - (timers.get(String(label)) ?? performance.now())).toFixed(3)}ms`);
      timers.delete(String(label));
    },
    group: (...args) => {
      if (args.length > 0) out(...args);
      indent += '  ';
    },
    groupCollapsed: (...args) => {
      if (args.length > 0) out(...args);
      indent += '  ';
    },
    groupEnd: () => {
      indent = indent.slice(2);
    },
    clear: () => {},
    profile: () => {},
    profileEnd: () => {},
    timeStamp: () => {},
  };
  return Object.freeze(Object.assign(Object.create(null) as object, methods)) as unknown as Console;
}
