/**
 * `dios container create|start|run|stop|kill|rm|ps|exec|logs|stats|inspect`:
 * the containers of the local daemon (started on demand, see client.ts),
 * with Docker's meanings.
 * @module
 */
import type { ContainerInfo } from '../../containers/api.js';
import type { ContainerArgs, CreateArgs } from './container-args.js';
import { parseContainerArgs } from './container-args.js';
import { connectDaemon, type DaemonClient } from './client.js';
import { eachTarget, runCommand } from './command-run.js';
import { dataDirOf } from './daemon-paths.js';
import { containerTable, statsTable } from './listing.js';

const COMMAND = 'dios container';

/**
 * `run` without --detach: the console streamed until the container stops,
 * then its exit code (and --rm). Ctrl-C stops the container (the stop
 * notice, then a kill after the grace period), as Docker passes it on.
 */
async function attach(client: DaemonClient, id: string, rm: boolean): Promise<number> {
  const interrupt = (): void => {
    client.stop(id).catch((e: unknown) => process.stderr.write(`${COMMAND}: stop ${id}: ${String(e)}\n`));
  };
  process.once('SIGINT', interrupt);
  try {
    await client.logs(id, { onData: (bytes) => process.stdout.write(bytes) });
  } finally {
    process.off('SIGINT', interrupt);
  }
  const code = await client.wait(id);
  if (rm) await client.remove(id);
  return code;
}

async function createOrRun(client: DaemonClient, args: CreateArgs): Promise<number> {
  const info = await client.create(args.spec);
  if (args.kind === 'create') {
    process.stdout.write(`${info.Id}\n`);
    return 0;
  }
  try {
    await client.start(info.Id);
  } catch (e) {
    // The start's failure is the one to report; a failed clean-up leaves a container `ps -a` shows.
    if (args.rm) await client.remove(info.Id, true).catch(() => undefined);
    throw e;
  }
  if (args.detach) {
    process.stdout.write(`${info.Id}\n`);
    return 0;
  }
  return attach(client, info.Id, args.rm);
}

async function dispatch(client: DaemonClient, args: ContainerArgs): Promise<number> {
  const echo = (target: string) => process.stdout.write(`${target}\n`);
  switch (args.kind) {
    case 'create':
    case 'run':
      return createOrRun(client, args);
    case 'start':
      return eachTarget(COMMAND, args.containers, async (c) => void (await client.start(c), echo(c)));
    case 'stop':
      return eachTarget(COMMAND, args.containers, async (c) => void (await client.stop(c, args.graceMs), echo(c)));
    case 'kill':
      return eachTarget(COMMAND, args.containers, async (c) => void (await client.kill(c), echo(c)));
    case 'rm':
      return eachTarget(COMMAND, args.containers, async (c) => void (await client.remove(c, args.force), echo(c)));
    case 'ps':
      process.stdout.write(containerTable(await client.list(args.all)));
      return 0;
    case 'exec':
      return client.exec(args.container, args.argv);
    case 'logs':
      if (args.follow) await client.logs(args.container, { onData: (bytes) => process.stdout.write(bytes) });
      else process.stdout.write(await client.logs(args.container));
      return 0;
    case 'stats': {
      const ids = args.containers.length > 0 ? args.containers : (await client.list(false)).map((c) => c.id);
      process.stdout.write(statsTable(await Promise.all(ids.map((id) => client.stats(id)))));
      return 0;
    }
    case 'inspect': {
      // Docker's way: what was found is printed (one JSON array), what was not is reported, status 1.
      const infos: ContainerInfo[] = [];
      const status = await eachTarget(COMMAND, args.containers, async (c) => void infos.push(await client.inspect(c)));
      process.stdout.write(`${JSON.stringify(infos, null, 2)}\n`);
      return status;
    }
  }
}

/** Runs `dios container ARGS`; resolves to the exit status (`run` and `exec`: the program's). */
export function containerCommand(argv: readonly string[]): Promise<number> {
  return runCommand(COMMAND, async () => {
    const args = parseContainerArgs(argv);
    return dispatch(await connectDaemon({ dataDir: dataDirOf(args.data) }), args);
  });
}
