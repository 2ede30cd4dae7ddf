/**
 * The untrusted plugin of the information-flow scenarios, as a program that
 * runs as a thread task or a worker task (a module program: it reaches the
 * kernel only through its system calls). It raises its label to read a
 * secret, then tries every way it knows to put the secret somewhere public.
 * It writes what each attempt gave into its report blob, which is secret
 * too: the test reads it after raising its own label.
 *
 * inputs: [secret blob, secrecy tag (ADD only)]
 * outputs: [report blob (secret), public blob, public stream, the parent's task]
 * argv: ['plugin', child program id, tcp port, public blob name, output name seed]
 */
import { BeginWriteFlags, CreateFlags, EndWriteFlags, ObjectType, programBinary, type SystemCalls } from '@dios/kernel';

const encoder = new TextEncoder();

/** One attempt and its outcome: `ok`, or the error's `CODE argument`. */
export interface Attempt {
  /** What the plugin tried. */
  readonly what: string;
  /** `ok` or, e.g., `EPERM ref`. */
  readonly outcome: string;
}

async function attempt(report: Attempt[], what: string, action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
    report.push({ what, outcome: 'ok' });
  } catch (e) {
    const err = e as { code?: string; argument?: string; message?: string };
    report.push({ what, outcome: err.code === undefined ? `thrown ${err.message}` : `${err.code} ${err.argument}` });
  }
}

async function write(sys: SystemCalls, ref: number, bytes: Uint8Array): Promise<void> {
  const buf = await sys.beginWrite(ref, bytes.length);
  buf.set(bytes);
  await sys.endWrite(ref, buf);
}

/** The plugin: see the module comment. Exits with the secret's first byte (which its parent must not see). */
export async function plugin(sys: SystemCalls): Promise<number> {
  const [secretIn, tag] = sys.inputs as [number, number];
  const [report, publicOut, stream, parent] = sys.outputs as [number, number, number, number];
  const [, childProgram, port, publicName, seed] = sys.argv as string[];
  const attempts: Attempt[] = [];
  // What the reference shows (in a worker: a snapshot the kernel makes) before and after raising.
  attempts.push({ what: 'size of the secret while public', outcome: `size ${sys.ref(secretIn).size}` });
  // A write begun while still public, to be filled after reading the secret: the label cannot rise meanwhile.
  const early = await sys.beginWrite(publicOut, 6);
  await attempt(attempts, 'raise while holding a public write buffer', () =>
    write(sys, sys.self, encoder.encode(JSON.stringify({ addSecrecy: [tag] }))),
  );
  await sys.endWrite(publicOut, early, {}, EndWriteFlags.DISCARD);
  await write(sys, sys.self, encoder.encode(JSON.stringify({ addSecrecy: [tag] })));
  attempts.push({ what: 'size of the secret once raised', outcome: `size ${sys.ref(secretIn).size}` });
  const view = await sys.beginRead(secretIn);
  const secret = view.slice();
  await sys.endRead(secretIn, view);
  await attempt(attempts, 'write the public blob', () => write(sys, publicOut, secret));
  const [found] = await sys.lookup(publicName!);
  await attempt(attempts, 'write the public blob found by name', () => write(sys, found!, secret));
  await attempt(attempts, 'create a public blob', () => sys.create(ObjectType.SHARED_MEMORY_BLOB, { label: {} }));
  await attempt(attempts, 'create a blob named where the public looks', async () => {
    const { ref } = await sys.create(
      ObjectType.SHARED_MEMORY_BLOB,
      { nameSeed: seed, lifecycle: 'immortal' },
      CreateFlags.NAME_DETERMINISTIC,
    );
    await write(sys, ref, secret);
  });
  await attempt(attempts, 'write the stream', () => write(sys, stream, secret));
  const [con] = await sys.lookup(sys.consoleName);
  await attempt(attempts, 'write the console', () => write(sys, con!, secret));
  await attempt(attempts, 'open a tcp connection', () =>
    sys.create(ObjectType.TCP_CONNECTION, { address: { host: '127.0.0.1', port: Number(port) } }),
  );
  await attempt(attempts, 'copy a reference to the parent', () => sys.copy([report], parent));
  await attempt(attempts, 'pause the parent', () => sys.pause(parent));
  await attempt(attempts, 'destroy the public blob', () => sys.delete(publicOut));
  await attempt(attempts, 'lower its label', () =>
    write(sys, sys.self, encoder.encode(JSON.stringify({ removeSecrecy: [tag] }))),
  );
  // A child inherits the plugin's label: its writes to the public blob fail the same way.
  const { ref: bin } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  await write(sys, bin, programBinary(childProgram!));
  const [childReport] = await sys.copy([report], sys.self);
  const child = await sys.run(bin, { argv: ['plugin-child'], outputs: [childReport!, publicOut] });
  await sys.select([child]);
  await attempt(attempts, "read the child's exit status", async () => {
    if (sys.ref(child).task?.exitStatus !== 0) throw new Error('the child failed');
  });
  // The report is appended after the child's.
  await appendReport(sys, report, attempts);
  return secret[0]!;
}

/** The plugin's child: tries the public blob it was handed; appends to the report. */
export async function pluginChild(sys: SystemCalls): Promise<number> {
  const [report, publicOut] = sys.outputs as [number, number];
  const attempts: Attempt[] = [];
  await attempt(attempts, 'child: write the public blob', () => write(sys, publicOut, encoder.encode('leak')));
  await appendReport(sys, report, attempts);
  return 0;
}

// Appends the attempts as JSON lines.
async function appendReport(sys: SystemCalls, report: number, attempts: Attempt[]): Promise<void> {
  const bytes = encoder.encode(attempts.map((a) => `${JSON.stringify(a)}\n`).join(''));
  const buf = await sys.beginWrite(report, bytes.length, {}, BeginWriteFlags.APPEND);
  buf.set(bytes);
  await sys.endWrite(report, buf);
}

/**
 * Reaches beneath the calls: raises its label, reads the secret, and copies
 * it into the memory of a read view of a public blob, and into the lent
 * write buffer of a public stream it began writing while still public (a
 * buffer it can then neither commit nor discard). Exits 0.
 *
 * inputs: [secret blob, secrecy tag (ADD only), public blob]; outputs: [public stream]
 */
export async function scribbler(sys: SystemCalls): Promise<number> {
  const [secretIn, tag, publicBlob] = sys.inputs as [number, number, number];
  const [publicStream] = sys.outputs as [number];
  const lent = await sys.beginWrite(publicStream, 16);
  await write(sys, sys.self, encoder.encode(JSON.stringify({ addSecrecy: [tag] })));
  const view = await sys.beginRead(secretIn);
  const secret = view.slice();
  await sys.endRead(secretIn, view);
  const pub = await sys.beginRead(publicBlob);
  pub.set(secret.subarray(0, pub.length));
  await sys.endRead(publicBlob, pub);
  lent.set(secret.subarray(0, lent.length));
  return 0;
}

/** Writes into its read view of its first output, or else its first input (READ only): the blob must not change. */
export async function viewWriter(sys: SystemCalls): Promise<number> {
  const input = sys.outputs[0] ?? sys.inputs[0]!;
  const view = await sys.beginRead(input);
  view.fill(0x58);
  await sys.endRead(input, view);
  return 0;
}
