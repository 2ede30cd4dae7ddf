/**
 * A client kernel for commands that submit work to a cluster
 * (`dios wordcount --cluster`): booted not schedulable (the scheduling
 * policy never places a task on it), joined to the nodes over NATS, with
 * the MapReduce programs installed (its job master runs here, in a worker
 * thread), once at least one node is heard. Its policy (--scheduler) is
 * the one that places the job's map and reduce tasks (run with kernel '*').
 * @module
 */
import { v7 as uuidv7 } from 'uuid';
import { errors, flowPolicy, Kernel, localityPolicy } from '@dios/kernel';
import { useWorkers } from '@dios/kernel/node';
import { connectNats } from '@dios/kernel/nats';
import { installMapReducePrograms } from '../mapreduce/install.js';
import { credentialOptions } from './nats-credentials.js';
import type { ClusterArgs } from './wordcount-args.js';

// How long the set of peers must stay the same, once a node is heard, before the client counts the cluster whole.
const SETTLE_MS = 300;

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
  // A client kernel's id is a UUID by nature: v7, so the nodes' logs list clients in the order they came.
  const id = args.id ?? `wordcount-${uuidv7()}`;
  const scheduler = args.scheduler === 'flow' ? flowPolicy() : localityPolicy;
  const kernel = await Kernel.boot({ id, cluster: args.name, schedulable: false, scheduler });
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
  // Nodes answer a newcomer's first heartbeat at once, but their answers come one by one: once one is heard, wait
  // till no new one has come for SETTLE_MS (a path looked up across the cluster must find the node that holds it),
  // never past the deadline. Other clients are peers too, but take no tasks: only schedulable peers count.
  const deadline = Date.now() + args.waitMs;
  let nodes = 0;
  let heard = 0;
  let changed = Date.now();
  let unanswered = false;
  for (;;) {
    const peers = transport.peers();
    if (peers.length !== heard || unanswered) {
      if (peers.length !== heard) changed = Date.now();
      heard = peers.length;
      // A peer that does not answer counts as unanswered (undefined), and the next round asks it again.
      const loads = await Promise.all(peers.map((p) => kernel.distribution!.load(p).catch(() => undefined)));
      unanswered = loads.includes(undefined);
      nodes = loads.filter((l) => l !== undefined && l.schedulable !== false).length;
    }
    const now = Date.now();
    if (now >= deadline || (nodes > 0 && now - changed >= SETTLE_MS)) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (nodes === 0) {
    await close();
    throw errors.EHOSTUNREACH(
      'wordcount',
      '--cluster',
      `no node of cluster "${args.name}" that takes tasks answered at ${args.nats} within ${args.waitMs} ms`,
    );
  }
  return { kernel, nodes, close };
}
