/**
 * Running one WebAssembly program as a DIOS task: compile the task's image,
 * link its imports (`wasi_snapshot_preview1`, and `dios` for a hybrid
 * process), call `_start`, and turn the way it ended into an exit status.
 *
 * Exit statuses of failures, each with one line on the task's stderr:
 * - 126: the image does not compile (WebAssembly.CompileError), or exports
 *   no memory or no `_start`;
 * - 127: linking failed: an import this runtime does not provide (a module
 *   other than the two, a name preview1 does not define), or one whose type
 *   does not match (WebAssembly.LinkError);
 * - 134: a trap (unreachable, an out-of-bounds access, a stack overflow...),
 *   the status of a C abort;
 * - otherwise the status given to proc_exit, or 0 when `_start` returns.
 * Buffered file writes are committed before the task exits, whatever the end.
 * @module
 */
import { DIOS_IMPORT_MODULE, isDiosError, type SystemCalls } from '@dios/kernel';
import { ProcExit, WasiContext } from './context.js';
import { diosImports } from './dios-imports.js';
import { utf8 } from './guest-memory.js';
import { wasm, type WasmInstance, type WasmModule } from './webassembly.js';
import { unwinds, wasiImports, WASI_MODULE, type ImportFunction } from './preview1.js';
import { openStandardDescriptors } from './std-streams.js';

/** Exit status when the image is not a runnable module. */
export const EXIT_NOT_RUNNABLE = 126;
/** Exit status when the module's imports cannot be linked. */
export const EXIT_LINK_FAILED = 127;
/** Exit status of a trap (as of SIGABRT: 128 + 6). */
export const EXIT_TRAP = 134;

// One line on the task's stderr (as the task started: the program may have closed descriptor 2); a failure to report is not reported further.
function report(ctx: WasiContext, text: string): void {
  const handle = ctx.stderrHandle;
  if (handle === undefined) return;
  try {
    // What the program wrote before it failed comes first.
    ctx.output.flush();
  } catch {
    // The message still goes out.
  }
  try {
    const bytes = utf8(`${ctx.sys.argv[0] ?? 'wasm'}: ${text}\n`);
    const buffer = ctx.calls.beginWrite(handle, bytes.length);
    buffer.set(bytes);
    ctx.calls.endWrite(handle, buffer);
  } catch {
    // Nowhere left to say it.
  }
}

/** The imports a module asks for, or the first one this runtime cannot give (as a message). */
function linkImports(ctx: WasiContext, module: WasmModule): Record<string, Record<string, ImportFunction>> | string {
  const byModule = new Map<string, string[]>();
  for (const imp of wasm.Module.imports(module)) {
    if (imp.kind !== 'function') return `import ${imp.module}.${imp.name} is a ${imp.kind}, not a function`;
    byModule.set(imp.module, [...(byModule.get(imp.module) ?? []), imp.name]);
  }
  const imports: Record<string, Record<string, ImportFunction>> = {};
  for (const [name, fields] of byModule) {
    if (name === WASI_MODULE) {
      const { functions, unknown } = wasiImports(ctx, fields);
      if (unknown.length > 0) return `import ${name}.${unknown[0]} is not a WASI preview1 function`;
      imports[name] = functions;
    } else if (name === DIOS_IMPORT_MODULE) {
      const all = diosImports(ctx);
      const missing = fields.find((f) => all[f] === undefined);
      if (missing !== undefined) return `import ${name}.${missing} is not a DIOS call (see dios.h)`;
      imports[name] = all;
    } else {
      return `import module "${name}" is not provided (only ${WASI_MODULE} and ${DIOS_IMPORT_MODULE} are)`;
    }
  }
  return imports;
}

/** Runs the WebAssembly program `sys.image` in task `sys` and returns its exit status. */
export function runWasiModule(sys: SystemCalls): number {
  const ctx = new WasiContext(sys);
  openStandardDescriptors(ctx);
  let status: number;
  try {
    status = start(ctx);
  } finally {
    try {
      ctx.flushAll();
    } catch (e) {
      if (!unwinds(e)) report(ctx, `could not commit file writes at exit: ${String(e)}`);
    }
  }
  return status;
}

function start(ctx: WasiContext): number {
  let module: WasmModule;
  try {
    module = new wasm.Module(ctx.sys.image ?? new Uint8Array(0));
  } catch (e) {
    report(ctx, `not a valid WebAssembly module: ${String((e as Error).message)}`);
    return EXIT_NOT_RUNNABLE;
  }
  const imports = linkImports(ctx, module);
  if (typeof imports === 'string') {
    report(ctx, `link error: ${imports}`);
    return EXIT_LINK_FAILED;
  }
  let instance: WasmInstance;
  try {
    instance = new wasm.Instance(module, imports);
  } catch (e) {
    if (e instanceof wasm.LinkError) {
      report(ctx, `link error: ${e.message}`);
      return EXIT_LINK_FAILED;
    }
    return trapped(ctx, e);
  }
  const { memory, _start } = instance.exports;
  if (!(memory instanceof wasm.Memory) || typeof _start !== 'function') {
    report(ctx, 'the module exports no memory or no _start function (not a WASI command)');
    return EXIT_NOT_RUNNABLE;
  }
  ctx.memory.attach(memory);
  try {
    (_start as () => void)();
    return 0;
  } catch (e) {
    return trapped(ctx, e);
  }
}

// How the program ended when _start (or a start function) threw.
function trapped(ctx: WasiContext, e: unknown): number {
  if (e instanceof ProcExit) return e.status;
  // The task was ended under a call: its status is already set; this one is ignored.
  if (isDiosError(e, 'ECANCELED')) throw e;
  const what = e instanceof wasm.RuntimeError ? 'trap' : 'trap (host)';
  report(ctx, `${what}: ${(e as Error)?.message ?? String(e)}`);
  return EXIT_TRAP;
}
