/**
 * The kernel's state: the object table, the tasks, and the bookkeeping every
 * system call shares (opening and closing references, destroying objects,
 * exiting tasks). The calls themselves live in ../syscalls, one family per
 * file, and take this state; ../kernel.ts, the facade, adds booting, joining
 * peers and the tasks' system-call interface.
 * @module
 */
import { errors } from '../abi/errors.js';
import { checkRights, Rights, type Consistency, type ObjectType } from '../abi/flags.js';
import { Name, NAME_BYTES, describe } from '../abi/names.js';
import {
  checkProgram,
  loadProgram,
  programBinary,
  type BinaryFormat,
  type Program,
  type ProgramModule,
} from '../abi/program.js';
import type { SystemCalls } from '../abi/system-calls.js';
import { REMOTE_CHUNK_BYTES } from '../wire/remote-chunks.js';
import { ConsoleObject, type ConsoleSink } from '../objects/console.js';
import { GroupObject } from '../objects/group.js';
import type { KernelObject } from '../objects/kernel-object.js';
import { Reference, type ParentRef } from '../objects/reference.js';
import type { BlobStore } from '../objects/store.js';
import { systemClock, type Clock } from '../objects/clock.js';
import { TaskObject, type Membership, type TaskSetup } from '../objects/task.js';
import type { Device } from './device.js';
import type { Distribution } from './distribution.js';
import type { TaskExecutor } from './executor.js';
import { checkInvariants } from './invariants.js';
import { KernelStatusObject } from './kernel-status.js';
import { localityPolicy } from '../scheduling/greedy-policy.js';
import type { SchedulingPolicy } from '../scheduling/placement-policy.js';
import { ProgramProfiles } from './program-profiles.js';
import { ProvenanceLog } from './provenance.js';
import { ObjectTable } from './object-table.js';
import { canFlow } from '../objects/label.js';
import type { Container, ContainerExitReason } from '../objects/container.js';

/** Options of `Kernel.boot`. */
export interface KernelOptions {
  /** This kernel's id among its peers (default: a random one). */
  id?: string;
  /** Where console output goes (default: discarded). The Node host layer passes stdout. */
  consoleSink?: ConsoleSink;
  /** Default read and write buffer size of new references (bytes). */
  bufferSize?: number;
  /** Where durable blobs live; without one, creating a durable blob is ENOTSUP. The Node host layer offers a file store. */
  store?: BlobStore;
  /** How `run` places a task asked for any kernel (`spec.kernel: '*'`); default: {@link localityPolicy}. */
  scheduler?: SchedulingPolicy;
  /**
   * Whether tasks asked for any kernel (`spec.kernel: '*'`) may be placed
   * here, by this kernel's policy or a peer's (default true). A client
   * kernel that only submits work to a cluster sets it false; a run naming
   * this kernel explicitly still starts here.
   */
  schedulable?: boolean;
  /**
   * Tasks this kernel runs at once as schedulers count them (its worker
   * slots; an integer in [0, 4096]). Reported in its load; the flow policy
   * charges for placing more. Default: not reported.
   */
  slots?: number;
  /**
   * The most bytes of object data one request or reply to a peer carries
   * (default REMOTE_CHUNK_BYTES, 8 MiB): a larger remote blob read or commit
   * goes as several requests, a few in flight at once.
   */
  remoteChunkBytes?: number;
  /**
   * Cluster name. Kernels booted with the same cluster name share a root
   * group (each holds a copy named from the cluster), so their tasks resolve
   * each other's names. Default: the kernel id (a root group of its own).
   */
  cluster?: string;
  /**
   * Hypervisor mode (docs/containers.md): legacy processes (WebAssembly
   * programs, whose POSIX calls libd's WASI runtime carries) start only inside
   * containers, and a worker task outside them must be pure (RunFlags.PURE):
   * the host runs DIOS programs only. A refused run is EPERM, recorded in the
   * provenance log. Default false.
   */
  hypervisor?: boolean;
  /**
   * The provenance log (docs/ifc.md): every flow the system calls check, in
   * a ring of at most `records` records (default 65536); `false` keeps none.
   */
  provenance?:
    | false
    | {
        /** The most records the ring keeps (default DEFAULT_PROVENANCE_RECORDS, 65536); the oldest go first. */
        records?: number;
      };
  /**
   * The kernel's clock: select's timeouts and the provenance log's times
   * (default: the wall clock). The deterministic simulation of
   * `@dios/kernel/testing` passes a virtual one.
   */
  clock?: Clock;
  /**
   * Fills a byte array with random bytes: where fresh object names come from
   * (default: the runtime's cryptographically strong source). A simulation
   * passes a seeded generator so that a run replays; anything else must be
   * unpredictable, since a name is all another task needs to look an object up.
   */
  randomBytes?: (bytes: Uint8Array) => void;
  /**
   * What the system calls of a program running in the kernel's thread go
   * through: given the task's own interface, returns the one its program
   * gets (default: that interface). The deterministic simulation puts a
   * scheduling point before each call; a host may trace calls. It cannot
   * widen what a task may do: every call still reaches the task's own interface.
   */
  programCalls?: (sys: SystemCalls) => SystemCalls;
}

/** Default buffer size shown on references (the DIOS default, 4 KiB). */
export const DEFAULT_BUFFER_SIZE = 4096;

/** One DIOS kernel's state: its objects, tasks and programs (hosts use its facade, `Kernel`). */
export abstract class KernelState<C extends SystemCalls = SystemCalls> {
  // Each task's system-call interface; the task object itself knows nothing of it.
  readonly #contexts = new WeakMap<TaskObject, C>();
  /** This kernel's id among its peers. */
  readonly id: string;
  /** Local objects by name key. */
  readonly objects = new ObjectTable();
  /** Local tasks by name key. */
  readonly tasks = new Map<string, TaskObject>();
  /** The group every kernel starts with; the init task is a member. */
  readonly rootGroup: GroupObject;
  /** The console device. */
  readonly console: ConsoleObject;
  /** The first task, driven by the host. */
  readonly init: C;
  /** Default buffer size of new references. */
  readonly bufferSize: number;
  /** The durable store, if the kernel has one. */
  readonly store: BlobStore | undefined;
  /** Programs binaries can name, by id. */
  readonly programs = new Map<string, Program>();
  /** Interpreter programs by binary format: what runs a binary that names no program (see {@link KernelState.registerInterpreter}). */
  readonly interpreters = new Map<BinaryFormat, ProgramModule>();
  /** Runs module programs placed in worker threads (set by the host layer, e.g. `useWorkers`); none: every task runs in the kernel's thread. */
  executor: TaskExecutor | undefined = undefined;
  /** How `run` places a task asked for any kernel (`spec.kernel: '*'`). */
  scheduler: SchedulingPolicy;
  /** Whether scheduled tasks (`spec.kernel: '*'`) may be placed here (see KernelOptions.schedulable). */
  readonly schedulable: boolean;
  /** Worker slots reported to schedulers (KernelOptions.slots). */
  readonly slots: number | undefined;
  /** What each program was seen to do, for placing its next runs. */
  readonly profiles = new ProgramProfiles();
  /** Runs placed by this kernel's policy and not started yet, by chosen kernel: no load counts them yet. */
  readonly placing = new Map<string, number>();
  /** The most bytes of object data one request or reply to a peer carries (see KernelOptions.remoteChunkBytes). */
  readonly remoteChunkBytes: number;
  /** Host devices by the object type they make (see device.ts); create of a device type without one is ENOTSUP. */
  readonly devices = new Map<ObjectType, Device>();
  /** Set when the kernel joins peers over a transport. */
  distribution: Distribution | undefined = undefined;
  /** The flows the system calls checked, newest last (undefined when booted with `provenance: false`). */
  readonly provenance: ProvenanceLog | undefined;
  /** Containers made here by the host, by id (see containers.ts). */
  readonly containers = new Map<string, Container>();
  /** Replicas of peers' containers whose tasks run here, by `home/id`. */
  readonly containerReplicas = new Map<string, Container>();
  /** Hypervisor mode (see KernelOptions.hypervisor). */
  readonly hypervisor: boolean;
  /** The kernel's clock (see KernelOptions.clock). */
  readonly clock: Clock;
  readonly #randomBytes: ((bytes: Uint8Array) => void) | undefined;
  readonly #programCalls: ((sys: SystemCalls) => SystemCalls) | undefined;
  /** Called when a task's program throws (for logs); the task exits with status 1 either way. */
  onTaskFailure: ((task: TaskObject, error: unknown) => void) | undefined = undefined;
  protected constructor(
    id: string,
    options: KernelOptions,
    [rootName, consoleName, initName, statusName]: [Name, Name, Name, Name],
  ) {
    this.id = id;
    this.clock = options.clock ?? systemClock;
    if (options.randomBytes !== undefined && typeof options.randomBytes !== 'function')
      throw errors.EINVAL(
        'Kernel.boot',
        'options.randomBytes',
        `expected a function, got ${describe(options.randomBytes)}`,
      );
    this.#randomBytes = options.randomBytes;
    if (options.programCalls !== undefined && typeof options.programCalls !== 'function')
      throw errors.EINVAL(
        'Kernel.boot',
        'options.programCalls',
        `expected a function, got ${describe(options.programCalls)}`,
      );
    this.#programCalls = options.programCalls;
    this.bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
    this.store = options.store;
    this.scheduler = options.scheduler ?? localityPolicy;
    if (options.schedulable !== undefined && typeof options.schedulable !== 'boolean') {
      throw errors.EINVAL(
        'Kernel.boot',
        'options.schedulable',
        `expected a boolean, got ${describe(options.schedulable)}`,
      );
    }
    this.schedulable = options.schedulable ?? true;
    if (
      options.slots !== undefined &&
      (typeof options.slots !== 'number' ||
        !Number.isInteger(options.slots) ||
        options.slots < 0 ||
        options.slots > 4096)
    )
      throw errors.EINVAL(
        'Kernel.boot',
        'options.slots',
        `expected an integer in [0, 4096], got ${describe(options.slots)}`,
      );
    this.slots = options.slots;
    if (options.hypervisor !== undefined && typeof options.hypervisor !== 'boolean')
      throw errors.EINVAL(
        'Kernel.boot',
        'options.hypervisor',
        `expected a boolean, got ${describe(options.hypervisor)}`,
      );
    this.hypervisor = options.hypervisor ?? false;
    this.remoteChunkBytes = options.remoteChunkBytes ?? REMOTE_CHUNK_BYTES;
    this.provenance = provenanceLog(options.provenance);
    if (
      !Number.isSafeInteger(this.remoteChunkBytes) ||
      this.remoteChunkBytes < 1 ||
      this.remoteChunkBytes > 256 * 1024 * 1024
    ) {
      throw errors.EINVAL(
        'Kernel.boot',
        'options.remoteChunkBytes',
        `expected an integer number of bytes in [1, 256 MiB], got ${describe(options.remoteChunkBytes)}`,
      );
    }
    if (!Number.isInteger(this.bufferSize) || this.bufferSize < 1 || this.bufferSize > 2 ** 31 - 1) {
      throw errors.EINVAL(
        'Kernel.boot',
        'options.bufferSize',
        `expected an integer number of bytes in [1, 2^31-1], got ${describe(this.bufferSize)}`,
      );
    }
    this.rootGroup = new GroupObject(rootName, 'immortal', undefined);
    this.objects.set(this.rootGroup.name.key, this.rootGroup);
    this.console = new ConsoleObject(consoleName, options.consoleSink ?? (() => {}));
    this.objects.set(this.console.name.key, this.console);
    this.rootGroup.add(this.console);
    const status = new KernelStatusObject(statusName, this);
    this.objects.set(status.name.key, status);
    this.rootGroup.add(status);
    const init = this.newTask(initName, {
      argv: ['init'],
      env: {},
      groups: [{ group: this.rootGroup, rights: Rights.ALL }],
      program: undefined,
    });
    init.state = 'running';
    this.openRef(init, this.rootGroup, Rights.ALL, undefined);
    this.openRef(init, this.console, Rights.READ | Rights.WRITE | Rights.DELEGATE, undefined);
    this.init = this.contextOf(init);
  }

  /** Registers a program that binaries can name; returns the bytes such a binary holds. */
  registerProgram(id: string, program: Program): Uint8Array {
    if (typeof id !== 'string' || id.length === 0 || /\s/.test(id)) {
      throw errors.EINVAL(
        'registerProgram',
        'id',
        `a program id is a non-empty string without spaces, got ${describe(id)}`,
      );
    }
    this.programs.set(id, checkProgram(program));
    return programBinary(id);
  }

  /**
   * Registers the program that runs binaries of `format` (as Linux's
   * binfmt_misc does): `run` of a WebAssembly binary starts `program` in a
   * worker, with the binary's bytes as its `image` (libd's WASI runtime is
   * one: `@dios/libd/wasi`). The program must be a module, since such a task
   * makes blocking calls from a thread of its own.
   */
  registerInterpreter(format: BinaryFormat, program: ProgramModule): void {
    if (format !== 'wasm')
      throw errors.EINVAL('registerInterpreter', 'format', `expected 'wasm', got ${describe(format)}`);
    const checked = checkProgram(program);
    if (typeof checked === 'function')
      throw errors.EINVAL(
        'registerInterpreter',
        'program',
        'an interpreter is a module program ({ module, export }): it runs in a worker',
      );
    this.interpreters.set(format, checked);
  }

  /**
   * A task driven by the host (like init), with its own context. It is a
   * member of `groups`: plain groups are joined with all rights (the host is
   * trusted), memberships with the rights they name. `options.lookupRights`
   * is the task's lookup mask (default: the task default, `r--d`): the host
   * may let tasks that find this one by name copy references into it or
   * pause it (for example `Rights.ALL`).
   */
  async attachTask(
    argv: readonly string[] = ['host'],
    groups: readonly (GroupObject | Membership)[] = [this.rootGroup],
    options: { lookupRights?: number } = {},
  ): Promise<C> {
    const mask =
      options.lookupRights === undefined
        ? undefined
        : checkRights('attachTask', 'options.lookupRights', options.lookupRights);
    // Host tasks get random names: unlike init, nothing about them should repeat after a restart.
    await Promise.resolve();
    const memberships = groups.map((g) => (g instanceof GroupObject ? { group: g, rights: Rights.ALL } : g));
    const task = this.newTask(this.newName(), { argv, env: {}, groups: memberships, program: undefined }, mask);
    task.state = 'running';
    // Peers find the task by name once it is attached.
    await this.distribution?.published(task.name.key);
    return this.contextOf(task);
  }

  /** The system-call interface of a new task (the facade makes it: the calls sit above this layer). */
  protected abstract contextFor(task: TaskObject): C;

  /** The system-call interface of `task` (made with the task: every task has one). */
  contextOf(task: TaskObject): C {
    const context = this.#contexts.get(task);
    if (context === undefined)
      throw errors.EINVAL('contextOf', 'task', `task ${task.name.key.slice(0, 12)} is not a task of kernel ${this.id}`);
    return context;
  }

  /**
   * Creates a task object with its self reference; the caller starts it.
   * The task is named in its first group only if that membership carries
   * WRITE: entering a name into a group takes WRITE on it, whichever call
   * does it. `lookupRights`: the task's lookup mask (default: the type's).
   */
  newTask(name: Name, setup: TaskSetup, lookupRights?: number): TaskObject {
    const home = setup.groups[0];
    const namedIn = home !== undefined && (home.rights & Rights.WRITE) !== 0 ? home.group : undefined;
    const task = new TaskObject(name, namedIn, setup);
    if (lookupRights !== undefined) task.restrictLookup(lookupRights);
    this.objects.set(name.key, task);
    this.tasks.set(name.key, task);
    namedIn?.add(task);
    this.#contexts.set(task, this.contextFor(task));
    task.selfHandle = this.openRef(task, task, Rights.READ | Rights.WRITE, undefined).id;
    return task;
  }

  /** Adds a reference to `task`'s table. */
  openRef(
    task: TaskObject,
    obj: KernelObject,
    rights: number,
    parent: ParentRef | undefined,
    consistency: Consistency = 'optimistic',
    readBufferSize = this.bufferSize,
    writeBufferSize = this.bufferSize,
  ): Reference {
    const ref = new Reference(
      task.nextHandle++,
      task.name.key,
      obj,
      rights,
      parent,
      consistency,
      readBufferSize,
      writeBufferSize,
      task,
    );
    task.table.set(ref.id, ref);
    obj.refs.add(ref);
    obj.refCount++;
    // Only a holder that may flow to the object takes part in it (counts as a stream's reader or writer).
    ref.counted = canFlow(task.label, obj.label) ? rights : 0;
    if (ref.counted !== 0) obj.onOpen(ref.counted);
    if (obj instanceof GroupObject) {
      const held = task.heldGroups.get(obj);
      if (held === undefined) task.heldGroups.set(obj, new Set([ref]));
      else held.add(ref);
    }
    return ref;
  }

  /** Removes a reference: returns its lent buffers, then applies the object's lifecycle. */
  closeRef(ref: Reference, destroyIfLast = true): void {
    if (!ref.open) return;
    const task = this.tasks.get(ref.owner);
    if (ref.leaseCount > 0)
      for (const lease of ref.leases.values()) {
        // A lent buffer dies with its reference: reads are released, writes discarded.
        const done =
          lease.kind === 'read' ? ref.object.endRead(lease, true) : ref.object.endWrite(lease, 0, true, false);
        // Remote objects answer asynchronously; a failure there cannot be reported to anyone.
        if (done instanceof Promise) done.catch(() => {});
      }
    if (ref.leaseCount > 0) ref.leases.clear();
    ref.open = false;
    task?.table.delete(ref.id);
    const obj = ref.object;
    obj.refs.delete(ref);
    obj.refCount--;
    // A holder whose label has risen since leaves its part as it was: its going would tell the others something.
    if (ref.counted !== 0 && canFlow(ref.holder.label, obj.label)) obj.onClose(ref.counted);
    if (task !== undefined && obj instanceof GroupObject) {
      const held = task.heldGroups.get(obj)!;
      held.delete(ref);
      if (held.size === 0) task.heldGroups.delete(obj);
    }
    obj.changed.notify();
    task?.onRefClosed?.(ref);
    if (destroyIfLast && obj.refCount === 0 && obj.lifecycle === 'refcounted') this.destroyObject(obj);
  }

  /** Destroys an object: revokes every reference to it and forgets its name (`byDelete`: a delete call ended it). */
  destroyObject(obj: KernelObject, byDelete = false): void {
    if (obj.destroyed) return;
    for (const ref of [...obj.refs]) this.closeRef(ref, false);
    if (this.objects.get(obj.name.key) === obj) this.objects.delete(obj.name.key);
    obj.group?.remove(obj);
    if (obj instanceof TaskObject) this.tasks.delete(obj.name.key);
    if (obj.fateShared && obj.creator !== undefined) this.tasks.get(obj.creator)?.privateObjects.delete(obj);
    obj.destroy(byDelete);
    obj.owner?.charge(obj);
  }

  /**
   * Ends a task: closes its references, destroys what is fate-shared with it,
   * wakes its waiters. `reason` tells the task's container why (default: it
   * exited, or ran out of memory when the executor found it over its heap limit).
   */
  exitTask(task: TaskObject, status: number, reason?: ContainerExitReason): void {
    if (task.state === 'exited') return;
    task.state = 'exited';
    task.exitStatus = status;
    if (task.programKey !== undefined)
      this.profiles.exited(task.programKey, task.stats, task.setup.placement === 'worker');
    // A worker task's code may still be running (it exited by delete, or something ended it): stop it.
    if (task.setup.placement === 'worker') this.executor?.stop(task);
    // Fate-shared objects (private memory) go with their creator, held or not: a single-delete one whose last
    // reference was dropped (DeleteFlags.DROP) is still the task's, and a later task of the same name must not find it.
    const refs = [...task.table.values()];
    const fateShared = [...task.privateObjects];
    // The self reference goes last: closing it may destroy the task, after which its table is unreachable.
    for (const ref of refs) if (ref.id !== task.selfHandle) this.closeRef(ref);
    for (const obj of fateShared) this.destroyObject(obj);
    const self = task.table.get(task.selfHandle);
    task.changed.notify();
    if (self !== undefined) this.closeRef(self);
    else if (task.refCount === 0) this.destroyObject(task);
    const container = task.container;
    if (container !== undefined) {
      // One task over the memory limit stops its whole container (as the OOM killer ends a cgroup's processes).
      const oom = reason === undefined && task.outOfMemory;
      if (oom) container.oomKilled = true;
      container.left(task, status, oom ? 'oom' : (reason ?? 'exited'));
      if (oom) for (const t of container.tasks) this.exitTask(t, 137, 'oom');
    }
  }

  /**
   * A fresh random name for a new object (from KernelOptions.randomBytes
   * when given). A host's source that repeats itself gets EIO rather than a
   * name an object here already has: two objects never share a name.
   */
  newName(): Name {
    const source = this.#randomBytes;
    if (source === undefined) return Name.random();
    for (let attempt = 0; attempt < 4; attempt++) {
      const bytes = new Uint8Array(NAME_BYTES);
      source(bytes);
      const name = Name.fromBytes(bytes);
      if (!this.objects.has(name.key)) return name;
    }
    throw errors.EIO(
      'newName',
      'options.randomBytes',
      'the random source keeps giving names objects here already have',
    );
  }

  /** Starts a created task's program on the next tick. */
  startTask(task: TaskObject): void {
    task.state = 'running';
    task.changed.notify();
    const program = task.setup.program;
    if (program === undefined) return;
    if (task.setup.placement === 'worker' && typeof program !== 'function' && this.executor !== undefined) {
      this.executor.start(task, program);
      return;
    }
    Promise.resolve()
      .then(() =>
        typeof program === 'function'
          ? program(this.#programContext(task))
          : loadProgram(program).then((fn) => fn(this.#programContext(task))),
      )
      .then(
        (status) => this.exitTask(task, typeof status === 'number' && Number.isInteger(status) ? status : 0),
        (error: unknown) => {
          if (task.state !== 'exited') {
            task.failure = error;
            this.onTaskFailure?.(task, error);
          }
          this.exitTask(task, 1);
        },
      );
  }

  #programContext(task: TaskObject): SystemCalls {
    const sys = this.contextOf(task);
    return this.#programCalls === undefined ? sys : this.#programCalls(sys);
  }

  /** The reference `handle` in `task`'s table, or EBADF naming the argument. */
  ref(task: TaskObject, handle: unknown, syscall: string, argument = 'ref'): Reference {
    const ref = typeof handle === 'number' ? task.table.get(handle) : undefined;
    if (ref !== undefined) return ref;
    if (typeof handle !== 'number' || !Number.isInteger(handle) || handle <= 0) {
      throw errors.EBADF(syscall, argument, `not a reference handle: ${describe(handle)}`);
    }
    throw errors.EBADF(
      syscall,
      argument,
      handle < task.nextHandle ? `reference ${handle} was deleted` : `task holds no reference ${handle}`,
    );
  }

  /** Throws an error naming the invariant that does not hold (tests run it after every step). */
  checkInvariants(): void {
    checkInvariants(this);
  }
}

// The log KernelOptions.provenance asks for.
function provenanceLog(option: KernelOptions['provenance']): ProvenanceLog | undefined {
  if (option === false) return undefined;
  if (option === undefined) return new ProvenanceLog();
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw errors.EINVAL('Kernel.boot', 'options.provenance', `expected false or { records }, got ${describe(option)}`);
  }
  return new ProvenanceLog(option.records);
}
