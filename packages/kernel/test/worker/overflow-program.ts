/**
 * A program whose calls do not fit a channel slot (64 KiB): a copied write
 * and a copied read of 200 KiB (a private blob lends ordinary memory, so
 * the bytes travel with end_write, and a read's come in a shared window of
 * the task's own), and a run
 * whose spec is 100 000 characters of text. It writes what each gave, as
 * JSON, into its first output.
 */
import { isDiosError, ObjectType, type SystemCalls } from '@dios/kernel';

/** Bytes written and read back. */
export const OVERFLOW_BYTES = 200 * 1024;

/** The program (see the module comment). */
export async function overflow(sys: SystemCalls): Promise<number> {
  const bytes = Uint8Array.from({ length: OVERFLOW_BYTES }, (_, i) => (i * 7) & 255);
  const { ref } = await sys.create(ObjectType.PRIVATE_MEMORY_BLOB);
  const buffer = await sys.beginWrite(ref, bytes.length);
  buffer.set(bytes);
  const version = await sys.endWrite(ref, buffer);
  const view = await sys.beginRead(ref);
  const readBack = view.length === bytes.length && view.every((b, i) => b === bytes[i]);
  const valid = await sys.endRead(ref, view);
  let run: unknown;
  try {
    run = await sys.run(ref, { argv: ['big'], env: { BIG: 'x'.repeat(100_000) } });
  } catch (e) {
    run = isDiosError(e) ? [e.code, e.syscall, e.argument ?? null] : String(e);
  }
  const report = new TextEncoder().encode(JSON.stringify({ version, readBack, valid, run }));
  const out = await sys.beginWrite(sys.outputs[0]!, report.length);
  out.set(report);
  await sys.endWrite(sys.outputs[0]!, out);
  return 0;
}
