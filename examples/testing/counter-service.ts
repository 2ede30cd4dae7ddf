/**
 * Property-testing a small DIOS program under deterministic simulation: a
 * counter service. Client tasks on three nodes send increments over one
 * shared-memory stream; a server task adds them up and publishes the count
 * in a blob as an 8-byte record (the count, then its bitwise complement),
 * which a reader must read whole. `checkSimulations` runs the service under
 * many random schedules and checks that the final count is the sum sent and
 * that every record a client accepted is consistent.
 *
 *   npx tsx --conditions=@dios/source examples/testing/counter-service.ts [--runs N]
 *   npx tsx --conditions=@dios/source examples/testing/counter-service.ts --bug
 *
 * With `--bug` the clients skip end_read's validity check, and the check
 * must find a torn record: it prints the shrunk trace and exits 0 (1 if the
 * bug went unnoticed).
 * @module
 */
import { parseArgs } from 'node:util';
import { ObjectType, programBinary, type Kernel, type SystemCalls } from '@dios/kernel';
import { checkSimulations, SimulationFailure, type SimCluster } from '@dios/kernel/testing';

const { values: flags } = parseArgs({
  options: { bug: { type: 'boolean', default: false }, runs: { type: 'string', default: '100' } },
});
const RUNS = Number(flags.runs);
const NODES = ['a', 'b', 'c'];
// Each client sends these increments, one stream message (one byte) each; a 0 byte says the client is done.
const INCREMENTS = [1, 2, 3];

/** The published record: the count and its complement, so that a torn read shows. */
function recordOf(count: number): Uint8Array {
  const bytes = new Uint8Array(8);
  const fields = new DataView(bytes.buffer);
  fields.setUint32(0, count);
  fields.setUint32(4, ~count >>> 0);
  return bytes;
}
const consistent = ([count, check]: readonly number[]): boolean => check === ~count! >>> 0;

/**
 * Called with every record a client accepts (the programs are closures of this process). The workload checks each
 * at once and fails the run there, so that a failing run's trace ends where the torn record was accepted.
 */
let accept: (record: number[]) => void = () => {};

// inputs[0]: the request stream all clients write to; outputs[0]: the record blob; argv[1]: how many clients.
async function server(sys: SystemCalls): Promise<number> {
  const [requests] = sys.inputs;
  const [record] = sys.outputs;
  let open = Number(sys.argv[1]);
  let count = 0;
  while (open > 0) {
    // A read returns what is in the stream now: one message or several, from any clients.
    const view = await sys.beginRead(requests!);
    for (const byte of view) {
      if (byte === 0) open--;
      else count += byte;
    }
    await sys.endRead(requests!, view);
    // Both fields in one commit: a reader sees the old record or the new one, never half of each (if it checks).
    const out = await sys.beginWrite(record!, 8);
    out.set(recordOf(count));
    await sys.endWrite(record!, out);
  }
  return 0;
}

/** Reads the record field by field, as a reader of a larger record would; retries a read end_read calls invalid. */
async function readRecord(sys: SystemCalls, record: number, checkValidity: boolean): Promise<number[]> {
  for (;;) {
    const view = await sys.beginRead(record);
    const fields = new DataView(view.buffer, view.byteOffset, view.byteLength);
    const count = fields.getUint32(0);
    // Any call between the fields (here a lookup standing in for real work) is a point where a commit can come in.
    await sys.lookup(sys.taskName);
    const check = fields.getUint32(4);
    const valid = await sys.endRead(record, view);
    if (valid || !checkValidity) return [count, check];
  }
}

// inputs[0]: the record; outputs[0]: the request stream; argv[1]: 'bug' to skip the validity check.
async function client(sys: SystemCalls): Promise<number> {
  const [record] = sys.inputs;
  const [requests] = sys.outputs;
  for (const n of [...INCREMENTS, 0]) {
    const out = await sys.beginWrite(requests!, 1);
    out[0] = n;
    await sys.endWrite(requests!, out);
    accept(await readRecord(sys, record!, sys.argv[1] !== 'bug'));
  }
  return 0;
}

/** A new blob of `sys`'s holding `bytes`. */
async function blobWith(sys: SystemCalls, bytes: Uint8Array): Promise<number> {
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const buf = await sys.beginWrite(ref, bytes.length);
  buf.set(bytes);
  await sys.endWrite(ref, buf);
  return ref;
}

/** The workload: the server on node a, a client on every node; fails as soon as a client accepts a torn record. */
async function counterService(cluster: SimCluster): Promise<number> {
  const torn = new Promise<never>((_, reject) => {
    accept = (r) => {
      if (!consistent(r)) reject(new Error(`a client accepted a torn record: count ${r[0]}, check ${r[1]}`));
    };
  });
  return Promise.race([torn, serve(cluster)]);
}

/** Starts the server and the clients, waits for them, and returns the count the server published last. */
async function serve(cluster: SimCluster): Promise<number> {
  const init = cluster.init('a');
  const record = await blobWith(init, recordOf(0));
  // One stream for every client's requests: a writer waits while another holds the stream's one write lease.
  const requests = (await init.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4 })).ref;
  const serverTask = await init.run(await blobWith(init, programBinary('counter-server')), {
    argv: ['counter-server', String(NODES.length)],
    inputs: [requests],
    outputs: [record],
  });
  const clientBinary = await blobWith(init, programBinary('counter-client'));
  const clients = [];
  for (const node of NODES) {
    const argv = [`client-${node}`, flags.bug ? 'bug' : 'check'];
    clients.push(await init.run(clientBinary, { argv, inputs: [record], outputs: [requests], kernel: node }));
  }
  for (const task of [...clients, serverTask]) await init.select([task]);
  const [count] = await readRecord(init, record, true);
  return count!;
}

const property = {
  nodes: NODES,
  prepare: (kernel: Kernel) => {
    kernel.registerProgram('counter-server', server);
    kernel.registerProgram('counter-client', client);
  },
  run: counterService,
  check: (count: number) => {
    const sent = NODES.length * INCREMENTS.reduce((a, b) => a + b);
    if (count !== sent) throw new Error(`the final count is ${count}, but the clients sent ${sent}`);
  },
};

try {
  // A fixed seed: the same schedules every time, so a failure here is one the next run shows again.
  const report = await checkSimulations({ ...property, runs: RUNS, seed: 17 });
  console.log(
    `counter-service: ${report.runs} schedules passed (${report.steps} steps simulated, seed ${report.seed})`,
  );
  if (flags.bug) {
    console.log('the seeded bug (no end_read validity check) was NOT found');
    process.exitCode = 1;
  }
} catch (error) {
  if (!(error instanceof SimulationFailure)) throw error;
  console.log(error.message);
  if (flags.bug) console.log('\nthe seeded bug (no end_read validity check) was found and shrunk, as expected');
  process.exitCode = flags.bug ? 0 : 1;
}
