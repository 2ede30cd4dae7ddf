/**
 * A client kernel for commands that submit work to a cluster
 * (`dios wordcount --cluster`): booted not schedulable (the scheduling
 * policy never places a task on it), joined to the nodes over NATS, with
 * the MapReduce programs installed (its job master runs here, in a worker
 * thread), once at least one node is heard.
 * @module
 */
import { errors, Kernel, Name } from '@dios/kernel';
import { useWorkers } from '@dios/kernel/node';
import { connectNats } from '@dios/kernel/nats';
import { installMapReducePrograms } from '../mapreduce/install.js';
import { credentialOptions } from './nats-credentials.js';
import type { ClusterArgs } from './wordcount-args.js';

/** A client kernel joined to a cluster. */
export interface ClusterClient {
  /** The client kernel (its init task submits the work). */
  readonly kernel: Kernel;
  /** Nodes that take tasks heard when it joined (other clients not counted). */
  readonly nodes: number;
  /** Leaves the cluster (a goodbye, so the nodes drop this client at once) and stops the kernel's workers. */
  close(): Promise<void>;
}

/**
 * Joins the cluster `args` names; EHOSTUNREACH when no node is heard within
 * args.waitMs, NATS errors (EACCES, EHOSTUNREACH) as connectNats gives them,
 * CredentialsError for an unreadable --nkey file.
 */
export async function joinCluster(args: ClusterArgs): Promise<ClusterClient> {
  const id = args.id ?? `wordcount-${Name.random().key.slice(0, 8)}`;
  const kernel = await Kernel.boot({ id, cluster: args.name, schedulable: false });
  const pool = useWorkers(kernel, { size: 0 });
  let transport;
  try {
    transport = await connectNats({
      servers: args.nats,
      id,
      cluster: args.name,
      ...credentialOptions(args),
    });
  } catch (e) {
    await pool.close();
    throw e;
  }
  const close = async () => {
    await transport.close();
    await pool.close();
  };
  kernel.join(transport);
  await installMapReducePrograms(kernel);
  // Nodes answer a newcomer's first heartbeat at once; wait that long at most. Other clients are peers too, but
  // take no tasks: only schedulable peers count.
  const deadline = Date.now() + args.waitMs;
  let nodes = 0;
  for (;;) {
    const loads = await Promise.all(transport.peers().map((p) => kernel.distribution!.load(p).catch(() => undefined)));
    nodes = loads.filter((l) => l !== undefined && l.schedulable !== false).length;
    if (nodes > 0 || Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (nodes === 0) {
    await close();
    throw errors.EHOSTUNREACH('wordcount', '--cluster', `no node of cluster "${args.name}" that takes tasks answered at ${args.nats} within ${args.waitMs} ms`);
  }
  return { kernel, nodes, close };
}
