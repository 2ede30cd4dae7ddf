/**
 * The usage text of `dios image`, `dios container` and `dios daemon`.
 * @module
 */
import { MAX_SOCKET_PATH_BYTES } from './daemon-paths.js';

/** What `dios image|container|daemon --help` prints. */
export const USAGE_CONTAINERS = `Usage: dios image|container|daemon SUBCOMMAND [options], dios load PATH HOSTPATH

  The container commands talk to the local container daemon of a data
  directory over HTTP/1.1 on a Unix socket (DIR/dios.sock, mode 0600; when
  that path is longer than ${MAX_SOCKET_PATH_BYTES} bytes, TMPDIR/dios-HASH.sock, HASH taken
  from the directory's absolute path). When no daemon answers, the command
  starts one in the background ('dios daemon start --data DIR', its output
  appended to DIR/daemon.log) and waits for it (up to 15 s). The daemon is
  one DIOS kernel: images and containers are kept in durable blobs in
  DIR/store, so they survive a restart; containers running when the daemon
  stops come back stopped.
    --data DIR   on every subcommand: the data directory (default: $DIOS_DATA,
                 else ./.dios-data, as for 'dios exec')

  image build DIR [-t|--tag NAME[:TAG]]
      Builds an image from DIR: its dios-image.json (entry, args, env,
      limits, shares) and every file under it; prints the image's digest.
  image ls
      Lists the images: REPOSITORY, TAG, IMAGE ID, CREATED, SIZE.
  image rm IMAGE...
      Removes a tag, or an image (by digest or its first 12+ hex digits)
      with all its tags; refused while a container uses it.

  load PATH HOSTPATH
      Copies the host file HOSTPATH (or every file under the directory
      HOSTPATH, by its relative path under PATH) into durable blobs at DIOS
      path PATH of the daemon's kernel, where --share PATH finds them; prints
      the paths written. (As 'dios node start''s control line load PATH FILE.)

  container create [options] IMAGE [ARGS...]
      Creates a container (state created) and prints its id. ARGS replace
      the image's args.
        --name NAME          its name (default: generated)
        --entrypoint PATH    run the image's program at PATH instead of its
                             entry (a .mjs/.js module or a .wasm binary)
        -m, --memory SIZE    heap limit of each task (64m, 1g; at least 4m):
                             a task over it stops the whole container
        --pids-limit N       most live tasks (beyond: EAGAIN)
        -c, --cpu-shares N   CPU weight, 2..262144 (default 1024)
        --share PATH|NAME[:ro]  make a DIOS object (by path, or by name as 64
                             hex digits) resolvable inside, read-only with :ro
                             (repeatable)
        -e, --env KEY=VALUE  environment (repeatable)
  container run [options] [-d|--detach] [--rm] IMAGE [ARGS...]
      create, then start; without --detach, streams the container's console
      until it stops and exits with its exit code (--rm: then removes it;
      Ctrl-C stops it); with --detach, prints the id.
  container start CONTAINER...
  container stop [-t|--time SECONDS] CONTAINER...
      Sends the stop notice, waits SECONDS (default 10), then kills the rest.
  container kill CONTAINER...          Kills every task now (exit code 137).
  container rm [-f|--force] CONTAINER...
      Removes stopped containers (running ones too with --force).
  container ps [-a|--all]
      Running containers (all with --all): CONTAINER ID, IMAGE, COMMAND,
      CREATED, STATUS, NAMES.
  container exec CONTAINER PATH [ARGS...]
      Runs PATH (inside the container) as a new task of a running container;
      exits with its status. Its output goes to the container's console
      ('dios container logs').
  container logs [-f|--follow] CONTAINER
      The container's console; with --follow, more until it stops.
  container stats [--no-stream] [CONTAINER...]
      One snapshot of the task-monitoring figures summed per container
      (running ones by default); --no-stream is the only mode.
  container inspect CONTAINER...       JSON, Docker's field names where they fit.

  daemon [start] [--hypervisor]
      Runs the daemon in the foreground until SIGINT, SIGTERM or 'daemon
      stop'; refuses if one already serves DIR. --hypervisor: legacy
      (WebAssembly) programs run only inside containers.
  daemon stop      Stops the daemon of DIR (its running containers are killed).
  daemon status    Says whether a daemon serves DIR (exit 0) or not (exit 1).

  Exit status: 0 on success, 1 when the daemon reports a failure or cannot
  be reached, 2 for a usage error; 'container run' (attached) and 'exec'
  exit with the program's status.
`;
