/**
 * Errors without stack traces, where nobody will read them. Capturing a
 * stack trace is most of what a failed system call costs (about 10 of the
 * 17 µs of a lookup that finds nothing, in the kernel's thread), and twice
 * over for a worker's call: once where the kernel makes the error, which
 * reaches the worker only as its parts (code, call, argument, detail), and
 * once where the worker rebuilds it, which for a blocking call is turned
 * into an errno by its caller (a legacy program's runtime).
 * @module
 */

/** Runs `fn` with V8's stack-trace capture off (`Error.stackTraceLimit`); errors made after its first await keep theirs. */
export function withoutStackTraces<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 0;
  } catch {
    // A pure task's thread has Error frozen: its errors keep their stack traces.
    return fn();
  }
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
