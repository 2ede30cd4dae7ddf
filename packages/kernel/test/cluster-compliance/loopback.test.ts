/**
 * The cluster compliance suite over the in-process loopback transport; a
 * node is taken down by partitioning it.
 */
import { Kernel, LoopbackNetwork, type LoopbackTransport } from '@dios/kernel';
import { clusterCompliance } from '@dios/kernel/compliance';

let clusters = 0;

clusterCompliance({
  name: 'loopback',
  // Loopback fails requests to a partitioned node at once.
  downWithinMs: 500,
  async setup(ids) {
    const net = new LoopbackNetwork();
    const cluster = `cc-loopback-${++clusters}`;
    const kernels: Record<string, Kernel> = {};
    const transports: LoopbackTransport[] = [];
    for (const id of ids) {
      kernels[id] = await Kernel.boot({ id, cluster });
      const t = net.connect(id);
      transports.push(t);
      kernels[id].join(t);
    }
    return {
      kernels,
      takeDown: async (id) => net.partition(id),
      teardown: async () => {
        await Promise.all(transports.map((t) => t.close()));
      },
    };
  },
});
