/**
 * The `dios` command's usage text.
 * @module
 */

/** What `dios --help` prints. */
export const USAGE = `Usage: dios <command> [options]

Commands:
  wordcount FILE... [--maps M] [--reduces R] [--top K | --all]
            [--cluster URL [--cluster-name NAME]
             [--user U --pass P | --token T | --nkey FILE]]
      Counts the words of the FILEs with a MapReduce job on a DIOS kernel
      and prints "word<TAB>count" lines, most frequent first, ties in byte
      order. A word is a maximal run of ASCII letters and digits,
      lower-cased. A FILE written dios:PATH is the blob at PATH in DIOS
      (with --cluster: on whichever node holds it; see 'load' in
      'dios node --help'), which map tasks are placed next to.
        --maps M      map tasks (default: the number of CPUs, or one per
                      512 MiB of input if that is more)
        --reduces R   reduce tasks (default: the number of CPUs)
        --top K       print the K most frequent words (default 10)
        --all         print every word
        --cluster URL run the job on the DIOS cluster behind the NATS server
                      at URL (nodes started with 'dios node start'): this
                      command joins as a client kernel that holds the input
                      and the job master, and the scheduler spreads the map
                      and reduce tasks over the nodes (default --maps and
                      --reduces: one per node). A node lost mid-job has
                      its tasks run again on the others.
        --cluster-name NAME  the nodes' --cluster (default dios)
        --user U --pass P, --token T, --nkey FILE  NATS credentials
                      (as for 'dios node start')
        --id NAME     this client's kernel id (default wordcount-RANDOM)
        --wait-ms MS  how long to wait for a node to answer (default 5000)
        --store DIR   keep the job's provenance log (every flow between the
                      files, tasks and objects) in the durable store DIR,
                      for 'dios provenance' (not with --cluster)
  web serve DIR [--port P] [--host H] [--data DIR] [--status off|local|on]
      Boots a DIOS kernel with a network device and a durable store,
      imports the files under DIR into durable blobs, and serves them over
      HTTP/1.1 from a server task (GET and HEAD, keep-alive, ETags, ranges,
      directory listings) until SIGINT or SIGTERM. The kernel's tasks and
      objects are shown at /_dios/status (JSON: /_dios/status.json).
        --port P      port to listen on (default 8080; 0 picks a free one)
        --host H      address to listen on (default 127.0.0.1)
        --data DIR    directory of the durable store (default: a fresh
                      temporary directory, removed on exit)
        --status S    who may see the status page, which shows every task's
                      argv, client addresses included: off (nobody), local
                      (loopback clients only, the default) or on (anyone);
                      others get 404 there
  kv serve [--port P] [--host H] [--data DIR] [--fsync always|everysec|no]
      Runs a Redis-compatible key-value store as a DIOS task (RESP2 over
      TCP; see 'dios kv --help'). Without --data the store is a fresh
      temporary directory, removed on exit.
  provenance NAME|PATH --store DIR [--format svg|dot|json] [--depth N]
             [-o FILE] [--kernel ID]
      Draws the lineage of an object from the provenance log kept in DIR:
      the tasks and objects whose data flowed into it, with the operation
      and the bytes on every edge and refused flows in red. PATH is the
      object's DIOS path, or a directory of them (for 'dios wordcount
      --store DIR': /mapreduce/wordcount/out, its output); NAME is the
      first hex digits (4 or more) of a task's or an object's name.
        --format F    svg (default; drawn with a WebAssembly Graphviz),
                      dot (Graphviz) or json (W3C PROV-JSON)
        --depth N     follow at most N edges back (default: all)
        -o FILE       write to FILE instead of standard output
        --kernel ID   whose log to read (default dios-wordcount)
  node start --nats URL --id NAME [--cluster NAME] [--data DIR]
             [--user U --pass P | --token T | --nkey FILE] [--dead-ms MS]
      Runs one kernel of a DIOS cluster, joined to the other nodes through
      a NATS server, until SIGINT or SIGTERM; stdin takes control lines
      (put, get, load, peers, tasks, ran; see 'dios node --help').

  exec [--data DIR] [--] PROGRAM.wasm [ARGS...]
      Runs a WebAssembly program built for WASI (C compiled with
      clang --target=wasm32-wasi) as a DIOS task, every POSIX call carried
      by the system calls, with stdin, stdout and stderr on the terminal and
      its files durable in DIR (default ./.dios-data); exits with the
      program's status (see 'dios exec --help'). Arguments after
      PROGRAM.wasm are the program's.

  image build DIR [--tag NAME] | image ls | image rm IMAGE...
  container create|run [--name N] [--memory SIZE] [--pids-limit N]
            [--cpu-shares N] [--share PATH|NAME[:ro]]... [-e K=V]...
            [-d] [--rm] IMAGE [ARGS...]
  container start|stop [-t S]|kill|rm [-f]|inspect|stats CONTAINER...
  container ps [-a] | exec CONTAINER PATH [ARGS...] | logs [-f] CONTAINER
  daemon [start] [--hypervisor] | daemon stop | daemon status
  load PATH HOSTPATH
      Docker-like images and containers (see 'dios container --help'). The
      commands talk to the local container daemon of DIR (--data DIR on
      every command; default $DIOS_DATA, else ./.dios-data) over a Unix
      socket (DIR/dios.sock, or one under TMPDIR when that path is too
      long), starting it in the background when none answers; images and
      containers are kept in durable blobs in DIR/store and survive a
      restart (running containers come back stopped). 'load' copies a host
      file or directory into DIOS path PATH there, for --share PATH.

Options:
  -h, --help   print this help

Exit status: 0 on success, 1 when a file cannot be read, the job fails,
the server cannot listen, the node cannot reach NATS or a provenance log
or object is not there, 2 for a usage error; 'dios exec' exits with the
program's status, as do 'dios container run' (attached) and 'exec'.
`;
