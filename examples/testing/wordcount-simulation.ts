/**
 * MapReduce WordCount under deterministic simulation with node loss: a
 * client kernel (which takes no tasks) and three worker nodes; each run
 * draws a random schedule and at most one worker lost within the first
 * 200 virtual milliseconds, and the counts must equal those of the
 * single-threaded WordCount all the same.
 *
 *   npx tsx --conditions=@dios/source examples/testing/wordcount-simulation.ts [--runs N]
 *
 * Prints the runs, the steps simulated, virtual and real time, and how
 * many runs lost a node, and what the node was doing for the job then; on
 * a failure, the shrunk trace (and exits 1).
 * @module
 */
import { parseArgs } from 'node:util';
import { ANY_KERNEL, Kernel, monitorTasks, ObjectType, type SystemCalls } from '@dios/kernel';
import { checkSimulations, nodeLossArb, SimulationFailure, type SimCluster } from '@dios/kernel/testing';
import { installMapReducePrograms, wordCount, wordCountSync, type KeyCount } from '@dios/apps';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '100' } } });
const RUNS = Number(flags.runs);
const NODES = ['client', 'b', 'c', 'd'];
const TEXT = new TextEncoder().encode(
  'the quick brown fox jumps over the lazy dog\nthe dog sleeps, the fox runs\n'.repeat(20) + 'and the end\n',
);
const EXPECTED = JSON.stringify(wordCountSync(TEXT));

/** A new blob of `sys`'s holding `bytes`. */
async function blobWith(sys: SystemCalls, bytes: Uint8Array): Promise<number> {
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const buf = await sys.beginWrite(ref, bytes.length);
  buf.set(bytes);
  await sys.endWrite(ref, buf);
  return ref;
}

let virtualMs = 0;
// Runs by what the lost node was doing: nothing of the job yet, running its tasks, or done with them (its map outputs lost).
const losses = { idle: 0, running: 0, finished: 0 };

/** What lost node `node` was doing for the job: its kernel stopped as it was, so its task reports say. */
function lossKind(cluster: SimCluster, node: string): keyof typeof losses {
  const tasks = monitorTasks(cluster.kernel(node)).filter((t) => t.argv[0]?.startsWith('mapreduce') === true);
  if (tasks.some((t) => t.exitStatus === undefined)) return 'running';
  return tasks.length > 0 ? 'finished' : 'idle';
}

const started = performance.now();
try {
  const report = await checkSimulations({
    runs: RUNS,
    seed: 42,
    nodes: NODES,
    // The client holds the job's master and output; the maps and reduces go to the other nodes.
    boot: (options) => Kernel.boot({ ...options, schedulable: options.id !== 'client' }),
    prepare: async (kernel) => {
      // A task on a lost node fails; MapReduce runs it again elsewhere, so the failure needs no log line.
      kernel.onTaskFailure = () => {};
      await installMapReducePrograms(kernel);
    },
    run: async (cluster): Promise<KeyCount[]> => {
      const init = cluster.init('client');
      const input = await blobWith(init, TEXT);
      // A job id of our own: the default is a UUID, which would change the job's names from one replay to the next.
      return wordCount(init, [input], { maps: 3, reduces: 2, kernel: ANY_KERNEL, job: 'wc' });
    },
    check: (counts, cluster) => {
      if (JSON.stringify(counts) !== EXPECTED) throw new Error('the counts differ from wordCountSync');
      virtualMs += cluster.now;
      for (const node of cluster.nodes) if (cluster.isLost(node)) losses[lossKind(cluster, node)]++;
    },
    faults: nodeLossArb(NODES, ['client'], 200),
  });
  const realS = (performance.now() - started) / 1000;
  console.log(`wordcount-simulation: ${report.runs} runs passed (seed ${report.seed})`);
  console.log(
    `  ${report.steps} steps simulated, ${(virtualMs / 1000).toFixed(1)} virtual s, ${realS.toFixed(1)} real s`,
  );
  const lost = losses.idle + losses.running + losses.finished;
  console.log(
    `  ${lost} runs lost a node: ${losses.running} while it ran tasks of the job, ` +
      `${losses.finished} after its tasks had finished, ${losses.idle} before it had any`,
  );
} catch (error) {
  if (!(error instanceof SimulationFailure)) throw error;
  console.log(error.message);
  process.exitCode = 1;
}
