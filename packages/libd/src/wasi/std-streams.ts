/**
 * The descriptors a WASI program starts with: 0, 1 and 2 (stdin = the task's
 * first input, stdout = its first output, stderr = its second output, each
 * the kernel's console when not given), and 3, the preopened directory `/`
 * against which wasi-libc resolves every path, absolute or relative.
 * @module
 */
import { isDiosError, ObjectType } from '@dios/kernel';
import type { WasiContext } from './context.js';
import { Rights } from './fd-table.js';

/** Sets up descriptors 0 to 3 of a new WASI task. */
export function openStandardDescriptors(ctx: WasiContext): void {
  const { sys } = ctx;
  let consoleHandle: number | undefined;
  const console = (): number => (consoleHandle ??= lookupConsole(ctx));
  const stream = (handle: number | undefined, rights: bigint): number => {
    const h = handle ?? console();
    ctx.addStream(h, sys.ref(h).type === ObjectType.CONSOLE, rights);
    return h;
  };
  stream(sys.inputs[0], Rights.FD_READ);
  stream(sys.outputs[0], Rights.FD_WRITE);
  ctx.stderrHandle = stream(sys.outputs[1], Rights.FD_WRITE);
  ctx.fds.add({ kind: 'dir', path: '/', preopen: '/', rightsBase: Rights.ALL, rightsInheriting: Rights.ALL, flags: 0 });
}

// The console by name; a console reference the task already holds if the name does not resolve.
function lookupConsole(ctx: WasiContext): number {
  try {
    return ctx.calls.lookup(ctx.sys.consoleName)[0]!;
  } catch (e) {
    if (!isDiosError(e, 'ENOENT')) throw e;
    const held = ctx.sys.handles.find((h) => ctx.sys.ref(h).type === ObjectType.CONSOLE);
    if (held === undefined) throw e;
    return held;
  }
}
