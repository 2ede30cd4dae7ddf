// A consumer's property tests with the published kit (@dios/kernel/testing, fast-check installed beside it): the
// model runner on the stock kernel, and a simulated run that replays from its seed.
import { Kernel, ObjectType } from '@dios/kernel';
import { checkKernelAgainstModel, checkSimulations, formatTrace, simulate } from '@dios/kernel/testing';

await checkKernelAgainstModel({ runs: 3, seed: 1, boot: (options) => Kernel.boot(options) });

const options = {
  nodes: ['a', 'b'],
  run: async (cluster) => {
    const { name } = await cluster.init('b').create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const [ref] = await cluster.init('a').lookup(name);
    const view = await cluster.init('a').beginRead(ref);
    await cluster.init('a').endRead(ref, view);
    return view.length;
  },
};
const one = await simulate({ ...options, seed: 3 });
const two = await simulate({ ...options, seed: 3 });
if (one.outcome !== 'ok' || formatTrace(one.trace) !== formatTrace(two.trace)) {
  console.error(`testing: the simulated run ended ${one.outcome} or did not replay`);
  process.exit(1);
}
const report = await checkSimulations({ ...options, runs: 3, seed: 1 });
console.log(`ok (${one.steps} events per run, ${report.runs} schedules checked)`);
