/**
 * A small reference model of one DIOS kernel, written from the system-call
 * contract rather than from the implementation: objects with a type, a
 * lifecycle, bytes and a version; per-task reference tables with rights;
 * tasks' group memberships, each with the rights it confers; stream FIFOs
 * with a capacity and end-of-stream; the console; outstanding buffer leases;
 * tasks started by run (with an installed program that never returns).
 * Every call is split in two: the call's method is pure and says either which
 * errno the call must fail with or what it must return, and the returned
 * plan's `commit` applies the effect once the kernel has agreed.
 *
 * The model holds plain data only (arrays and objects), so a JSON snapshot
 * before and after a failing call shows that the prediction changed nothing.
 * @module
 */
import { flagsValid, intIn, opts, optionsOk, predicting, rightsValid, stop } from './argument-checks.js';
import { isEmptyLabelChange, OWN_LABEL_BYTES } from './labels.js';
import type {
  CreatePlan,
  DonePlan,
  EndReadPlan,
  EndWritePlan,
  Fail,
  HandlesPlan,
  MConsistency,
  MLease,
  MLifecycle,
  MMembership,
  MObj,
  MRef,
  MTask,
  MType,
  ReadPlan,
  RunPlan,
  SelectPlan,
  WritePlan,
} from './model-types.js';
import { derivedNameKey, groupOnKernelKey, programOfBytes, seedNameKey } from './names.js';
import {
  ALL,
  CREATABLE,
  D,
  DEFAULT_MASK,
  DEFAULT_STREAM_CAPACITY,
  FLAG_MASK,
  MAX_BLOB,
  MAX_REFS_PER_CALL,
  MAX_STREAM_CAPACITY,
  MAX_TIMEOUT,
  R,
  W,
  X,
} from './rights-and-limits.js';

const LIFECYCLES: readonly unknown[] = ['immortal', 'single-delete', 'refcounted'];
const CONSISTENCIES: readonly unknown[] = ['optimistic', 'exclusive'];

/** The reference model: the state of one kernel, and a prediction for each system call. */
export class KernelModel {
  /** Every object ever made, destroyed ones flagged. */
  objects: MObj[] = [];
  /** Every task, init first, exited ones included. */
  tasks: MTask[] = [];
  /** Every buffer ever lent, returned ones flagged. */
  leases: MLease[] = [];
  /** Names a lookup may try: every name ever seen, plus names of seeds not yet used. */
  knownNames: string[] = [];
  /**
   * What each reference (`task:handle`) and membership (`task@index`) may carry at most, by the rule it was made
   * under: what its creator gets (all), what the delegator held (copy, run), or what a lookup may grant (the rights
   * of the scopes the name was found through, within the object's mask). Set when it is made; the rights
   * invariant ({@link checkRightsBounds}) holds the kernel to it after every step.
   */
  bounds: Record<string, number> = {};
  readonly bufferSize: number;
  /** Id of the kernel (run on any other kernel has no transport to go through). */
  readonly kernelId: string;
  /** Ids of the programs installed on the kernel. */
  readonly programs: readonly string[];

  private constructor(bufferSize: number, kernelId: string, programs: readonly string[]) {
    this.bufferSize = bufferSize;
    this.kernelId = kernelId;
    this.programs = programs;
  }

  /** A freshly booted kernel: root group, console and init (self 1, root group 2, console 3). */
  static boot(
    keys: { root: string; console: string; init: string },
    bufferSize: number,
    kernelId: string,
    programs: readonly string[],
  ): KernelModel {
    const m = new KernelModel(bufferSize, kernelId, programs);
    const root = m.#newObj(keys.root, 'group', 'immortal', undefined, undefined);
    const cons = m.#newObj(keys.console, 'console', 'immortal', root.id, undefined);
    // The kernel's own setup: init is a member of the root group with all rights, and holds it and the console.
    const init = m.#newTask(keys.init, [{ group: root.id, rights: ALL }], undefined, ALL);
    m.#open(init, root.id, ALL, undefined, 'optimistic', bufferSize, bufferSize, ALL);
    m.#open(init, cons.id, R | W | D, undefined, 'optimistic', bufferSize, bufferSize, R | W | D);
    return m;
  }

  /** A host-attached task with these memberships (all the host's to give) and lookup mask (default: a task's); returns its id. */
  attach(key: string, groups: MMembership[], mask?: number): number {
    return this.#newTask(
      key,
      groups.map((g) => ({ ...g })),
      mask,
      ALL,
    ).id;
  }

  /** The whole model as JSON: equal before and after a call that must fail. */
  snapshot(): string {
    return JSON.stringify([this.objects, this.tasks, this.leases, this.bounds]);
  }

  // ---- queries ----------------------------------------------------------

  /** The object with this id. */
  obj(id: number): MObj {
    return this.objects[id]!;
  }
  /** The task with this id. */
  task(id: number): MTask {
    return this.tasks[id]!;
  }
  /** Task `t`'s reference with this handle, if open. */
  refOf(t: number, handle: unknown): MRef | undefined {
    return typeof handle === 'number' ? this.task(t).refs.find((r) => r.handle === handle) : undefined;
  }
  /** Every open reference to an object, with its task. */
  refsTo(obj: number): { task: MTask; ref: MRef }[] {
    const out: { task: MTask; ref: MRef }[] = [];
    for (const task of this.tasks) for (const ref of task.refs) if (ref.obj === obj) out.push({ task, ref });
    return out;
  }
  /** How many references to an object are open. */
  refCount(obj: number): number {
    return this.refsTo(obj).length;
  }
  /** Buffers lent and not yet returned (of one object, or all). */
  outstanding(obj?: number): MLease[] {
    return this.leases.filter((l) => !l.returned && (obj === undefined || l.obj === obj));
  }
  /** Buffers lent through one reference and not yet returned. */
  leasesOfRef(t: number, handle: number): MLease[] {
    return this.leases.filter((l) => !l.returned && l.task === t && l.handle === handle);
  }
  /** A blob's outstanding writes and exclusive reads, as the kernel counts them. */
  blobLocks(obj: number): { writers: number; exclusiveReaders: number; exclusiveWriter: boolean } {
    const ls = this.outstanding(obj);
    return {
      writers: ls.filter((l) => l.kind === 'write').length,
      exclusiveReaders: ls.filter((l) => l.kind === 'read' && l.exclusive).length,
      exclusiveWriter: ls.some((l) => l.kind === 'write' && l.exclusive),
    };
  }
  /** References to a stream that can read it. */
  streamReaders(obj: number): number {
    return this.refsTo(obj).filter((x) => x.ref.rights & R).length;
  }
  /** References to a stream that can write it. */
  streamWriters(obj: number): number {
    return this.refsTo(obj).filter((x) => x.ref.rights & W).length;
  }
  /** End-of-stream: marked by a writer, or latched when the last reference that could write went. */
  streamEnded(obj: number): boolean {
    return this.obj(obj).eof;
  }
  /** Whether a buffer of this kind is out on the object. */
  leased(obj: number, kind: 'read' | 'write'): boolean {
    return this.outstanding(obj).some((l) => l.kind === kind);
  }
  /** Bytes a reader would get now (the object's size). */
  size(obj: number): number {
    const o = this.obj(obj);
    switch (o.type) {
      case 'private-memory-blob':
      case 'shared-memory-blob':
        return o.bytes.length;
      case 'shared-memory-stream':
        return o.fifo.length;
      case 'console':
        return o.input.reduce((n, c) => n + c.length, 0);
      default:
        return 0;
    }
  }
  /** Whether I/O in `mode` through `ref` would proceed without waiting (what select reports). */
  isReady(ref: MRef, mode: 'read' | 'write'): boolean {
    const o = this.obj(ref.obj);
    switch (o.type) {
      case 'private-memory-blob':
      case 'shared-memory-blob': {
        const locks = this.blobLocks(o.id);
        if (mode === 'read') return ref.consistency === 'optimistic' || locks.writers === 0;
        return (
          !locks.exclusiveWriter &&
          locks.exclusiveReaders === 0 &&
          (ref.consistency === 'optimistic' || locks.writers === 0)
        );
      }
      case 'shared-memory-stream':
        if (mode === 'read') return !this.leased(o.id, 'read') && (o.fifo.length > 0 || this.streamEnded(o.id));
        // Ready for writing also when a write would fail at once (ended, no readers): select must not hang on it.
        return !this.leased(o.id, 'write') && (o.eof || this.streamReaders(o.id) === 0 || o.fifo.length < o.capacity);
      case 'group':
        return true;
      case 'task':
        return mode === 'read' ? this.task(o.task!).state === 'exited' : this.task(o.task!).state !== 'exited';
      case 'console':
        return mode === 'write' || (!this.leased(o.id, 'read') && (o.input.length > 0 || o.inputEnded));
    }
  }
  /**
   * The scopes `t` resolves names in, each with the rights it confers: every membership and every reference
   * to a group that carries READ (others confer nothing, not even in union with another), while the group exists.
   */
  scopes(t: number): Map<number, number> {
    const task = this.task(t);
    const scopes = new Map<number, number>();
    const add = (g: number, rights: number) => {
      if (!this.obj(g).destroyed && rights & R) scopes.set(g, (scopes.get(g) ?? 0) | rights);
    };
    for (const m of task.groups) add(m.group, m.rights);
    for (const r of task.refs) if (this.obj(r.obj).type === 'group') add(r.obj, r.rights);
    return scopes;
  }
  /** The objects `key` names that `t` can see, with the rights the scopes they resolve through confer. */
  visible(t: number, key: string): { obj: MObj; rights: number }[] {
    const scopes = this.scopes(t);
    const found: { obj: MObj; rights: number }[] = [];
    for (const o of this.objects) {
      if (o.destroyed || o.key !== key || o.indexGroup === undefined || !scopes.has(o.indexGroup)) continue;
      if (o.type === 'private-memory-blob' && o.creator !== t) continue;
      found.push({ obj: o, rights: scopes.get(o.indexGroup)! & o.mask });
    }
    return found;
  }
  /** The program a blob's bytes name (undefined: not a binary). */
  programOf(obj: number): string | undefined {
    const o = this.obj(obj);
    return o.type.endsWith('blob') ? programOfBytes(o.bytes) : undefined;
  }
  /** The live object a name names, if any. */
  aliveKey(key: string): MObj | undefined {
    return this.objects.find((o) => !o.destroyed && o.key === key);
  }
  /** Adds a name lookups may try. */
  addKnownName(key: string): void {
    if (!this.knownNames.includes(key)) this.knownNames.push(key);
  }

  // ---- the system calls ---------------------------------------------------

  /** create by task `t`: the errno it must fail with, or what it must return. */
  create(t: number, type: unknown, options: unknown, flags: unknown): Fail | CreatePlan {
    return predicting(() => {
      const task = this.#running(t);
      if (!flagsValid(flags, FLAG_MASK.create)) stop('EINVAL');
      if (!CREATABLE.includes(type as string)) stop('EINVAL');
      if (
        !optionsOk(options, [
          'group',
          'capacity',
          'nameSeed',
          'lifecycle',
          'consistency',
          'readBufferSize',
          'writeBufferSize',
          'lookupRights',
        ])
      )
        stop('EINVAL');
      const o = opts(options);
      const lifecycle = (o.lifecycle ?? 'refcounted') as MLifecycle;
      if (!LIFECYCLES.includes(lifecycle)) stop('EINVAL');
      const consistency = (o.consistency ?? 'optimistic') as MConsistency;
      if (!CONSISTENCIES.includes(consistency)) stop('EINVAL');
      const isStream = type === 'shared-memory-stream';
      let capacity = isStream ? DEFAULT_STREAM_CAPACITY : 0;
      if (o.capacity !== undefined) {
        if (!intIn(o.capacity, isStream ? 1 : 0, isStream ? MAX_STREAM_CAPACITY : MAX_BLOB)) stop('EINVAL');
        if (type === 'group') stop('EINVAL');
        capacity = o.capacity;
      }
      const bufOpt = (v: unknown) => (v === undefined ? this.bufferSize : intIn(v, 1, MAX_BLOB) ? v : stop('EINVAL'));
      const readBuf = bufOpt(o.readBufferSize);
      const writeBuf = bufOpt(o.writeBufferSize);
      if (o.lookupRights !== undefined && !rightsValid(o.lookupRights)) stop('EINVAL');
      const mask = o.lookupRights ?? DEFAULT_MASK[type as string]!;
      if (type === 'private-memory-blob' && lifecycle === 'immortal') stop('EINVAL');
      let group: number;
      if (o.group !== undefined) {
        const g = this.refOf(t, o.group) ?? stop('EBADF');
        if (this.obj(g.obj).type !== 'group') stop('EINVAL');
        if (!(g.rights & W)) stop('EACCES');
        group = g.obj;
      } else {
        // By default the object goes into the task's first group, which takes a membership with WRITE.
        const home = task.groups[0] ?? stop('EINVAL');
        if (!(home.rights & W)) stop('EACCES');
        group = home.group;
      }
      const deterministic = ((flags as number) & 0x1) !== 0;
      if (o.nameSeed !== undefined && !deterministic) stop('EINVAL');
      if (o.nameSeed !== undefined && typeof o.nameSeed !== 'string') stop('EINVAL');
      const derived = deterministic && o.nameSeed === undefined;
      const nameKey = !deterministic
        ? undefined
        : derived
          ? derivedNameKey(task.key, task.counter + 1)
          : seedNameKey(this.obj(group).key, o.nameSeed as string);
      // A group's deterministic name also covers the kernel (made again on a peer, it would stand for this group there).
      const expectedKey =
        nameKey !== undefined && type === 'group' ? groupOnKernelKey(nameKey, this.kernelId) : nameKey;
      // A member group that no longer exists cannot receive new objects.
      if (this.obj(group).destroyed) stop('EBADF');
      if (expectedKey !== undefined && this.aliveKey(expectedKey) !== undefined) stop('EEXIST');
      const g = group;
      return {
        expectedKey,
        expectedHandle: task.nextHandle,
        commit: (actualKey: string) => {
          const obj = this.#newObj(actualKey, type as MType, lifecycle, g, t, mask);
          obj.capacity = capacity;
          if (derived) task.counter++;
          this.#open(task, obj.id, ALL, undefined, consistency, readBuf, writeBuf, ALL);
        },
      };
    });
  }

  /** lookup by task `t` of name `key` (undefined when the name argument is not a valid name). */
  lookup(t: number, key: string | undefined, flags: unknown): Fail | HandlesPlan {
    return predicting(() => {
      const task = this.#running(t);
      if (!flagsValid(flags, FLAG_MASK.lookup)) stop('EINVAL');
      if (key === undefined) stop('EINVAL');
      const found = this.visible(t, key);
      if (found.length === 0) stop('ENOENT');
      return {
        expectedHandles: found.map((_, i) => task.nextHandle + i),
        commit: () => {
          const grants = found.map((f) => this.lookupGrant(t, f.obj.id));
          found.forEach((f, i) =>
            this.#open(task, f.obj.id, f.rights, undefined, 'optimistic', this.bufferSize, this.bufferSize, grants[i]!),
          );
        },
      };
    });
  }

  /** copy by task `t`: the errno it must fail with, or the handles in the target. */
  copy(t: number, refs: unknown, target: unknown, options: unknown, flags: unknown): Fail | HandlesPlan {
    return predicting(() => {
      const task = this.#running(t);
      if (!flagsValid(flags, FLAG_MASK.copy)) stop('EINVAL');
      if (!Array.isArray(refs) || refs.length > MAX_REFS_PER_CALL || refs.length === 0) stop('EINVAL');
      if (!optionsOk(options, ['rights'])) stop('EINVAL');
      const o = opts(options);
      const tref = this.refOf(t, target) ?? stop('EBADF');
      const tobj = this.obj(tref.obj);
      if (tobj.type !== 'task') stop('EINVAL');
      // Handing a task references changes it: that takes WRITE on the task reference.
      if (!(tref.rights & W)) stop('EACCES');
      const sources = (refs as unknown[]).map((h) => this.refOf(t, h) ?? stop('EBADF'));
      let rights: number[];
      if (Array.isArray(o.rights)) {
        if (o.rights.length !== sources.length) stop('EINVAL');
        rights = (o.rights as unknown[]).map((r) => (rightsValid(r) ? r : stop('EINVAL')));
      } else if (o.rights === undefined) {
        rights = sources.map((s) => s.rights);
      } else {
        const r = o.rights;
        rights = sources.map(() => (rightsValid(r) ? r : stop('EINVAL')));
      }
      sources.forEach((src, i) => {
        if (!(src.rights & D)) stop('EACCES');
        // Delegation may keep or drop rights, never add them.
        if ((rights[i]! & ~src.rights) !== 0) stop('EPERM');
        if (this.obj(src.obj).type === 'private-memory-blob' && tobj.id !== task.obj) stop('EPERM');
      });
      const dest = this.task(tobj.task!);
      if (dest.state === 'exited') stop('ESRCH');
      return {
        expectedHandles: sources.map((_, i) => dest.nextHandle + i),
        commit: () => {
          sources.forEach((src, i) =>
            this.#open(
              dest,
              src.obj,
              rights[i]!,
              { task: t, handle: src.handle },
              src.consistency,
              src.readBuf,
              src.writeBuf,
              src.rights,
            ),
          );
        },
      };
    });
  }

  /** delete by task `t` (of its own reference: it exits). */
  delete(t: number, handle: unknown, flags: unknown): Fail | DonePlan {
    return predicting(() => {
      const task = this.#running(t);
      if (!flagsValid(flags, FLAG_MASK.delete)) stop('EINVAL');
      const ref = this.refOf(t, handle) ?? stop('EBADF');
      const exitFlags = (flags as number) & 0x3;
      if (exitFlags === 0x3) stop('EINVAL');
      if (ref.handle === task.self) return { commit: () => this.#exit(t, exitFlags === 0x2 ? 1 : 0) };
      if (exitFlags !== 0) stop('EINVAL');
      return {
        commit: () => {
          const obj = this.obj(ref.obj);
          // Destroying a single-delete object for every holder takes WRITE; without it, delete drops just this reference.
          // DROP asks for just that.
          if (obj.lifecycle === 'single-delete' && ref.rights & W && !((flags as number) & 0x4)) this.#destroy(obj.id);
          else this.#close(t, ref.handle, true);
        },
      };
    });
  }

  /**
   * run, on this kernel only (the model has no peers). Passing a reference to the child delegates it, so each
   * needs DELEGATE besides the right the child uses. The child starts at once (START_PAUSED is not modelled).
   */
  run(t: number, binary: unknown, spec: unknown, flags: unknown): Fail | RunPlan {
    return predicting(() => {
      const task = this.#running(t);
      if (!flagsValid(flags, FLAG_MASK.run)) stop('EINVAL');
      if (((flags as number) & 0x1) !== 0) throw new Error('model: START_PAUSED is not modelled');
      const bin = this.refOf(t, binary) ?? stop('EBADF');
      if (!(bin.rights & X)) stop('EACCES');
      const binObj = this.obj(bin.obj);
      if (!binObj.type.endsWith('blob')) stop('ENOEXEC');
      if (spec === undefined) stop('EINVAL');
      if (!optionsOk(spec, ['argv', 'inputs', 'outputs', 'groups', 'env', 'name', 'kernel', 'placement']))
        stop('EINVAL');
      const sp = opts(spec);
      if (!Array.isArray(sp.argv) || sp.argv.length > 4096) stop('EINVAL');
      if (!(sp.argv as unknown[]).every((a) => typeof a === 'string')) stop('EINVAL');
      if (sp.env !== undefined && (typeof sp.env !== 'object' || sp.env === null || Array.isArray(sp.env)))
        stop('EINVAL');
      if (!Object.values(sp.env ?? {}).every((v) => typeof v === 'string')) stop('EINVAL');
      const refList = (v: unknown, needed: number): MRef[] | undefined => {
        if (v === undefined) return undefined;
        if (!Array.isArray(v) || v.length > MAX_REFS_PER_CALL) stop('EINVAL');
        return (v as unknown[]).map((h) => {
          const r = this.refOf(t, h) ?? stop('EBADF');
          if ((r.rights & (needed | D)) !== (needed | D)) stop('EACCES');
          if (this.obj(r.obj).type === 'private-memory-blob') stop('EPERM');
          return r;
        });
      };
      const inputs = refList(sp.inputs, R) ?? [];
      const outputs = refList(sp.outputs, W) ?? [];
      const groups = refList(sp.groups, R);
      if (groups?.some((g) => this.obj(g.obj).type !== 'group')) stop('EINVAL');
      const deterministic = ((flags as number) & 0x2) !== 0;
      // A seeded name enters a name in the child's first group, which takes WRITE there (else it could squat on a
      // name create would give in that group).
      const home = groups !== undefined ? groups[0]?.rights : task.groups[0]?.rights;
      if (typeof sp.name === 'string' && deterministic && home !== undefined && !(home & W)) stop('EACCES');
      if (sp.name !== undefined && (typeof sp.name !== 'string' || !deterministic)) stop('EINVAL');
      if (sp.placement !== undefined && sp.placement !== 'thread' && sp.placement !== 'worker') stop('EINVAL');
      if (sp.kernel !== undefined && sp.kernel !== this.kernelId) {
        if (typeof sp.kernel !== 'string') stop('EINVAL');
        stop('EHOSTUNREACH');
      }
      const derived = deterministic && sp.name === undefined;
      // A seed is scoped to the group the task is named in (its first), or to the parent when it has none.
      const firstGroup = groups !== undefined ? groups[0]?.obj : task.groups[0]?.group;
      const scopeKey = firstGroup !== undefined ? this.obj(firstGroup).key : task.key;
      const expectedKey = !deterministic
        ? undefined
        : derived
          ? derivedNameKey(task.key, task.counter + 1)
          : seedNameKey(scopeKey, sp.name as string);
      // The binary is read like any read: through an exclusive reference, not while a write is outstanding.
      if (bin.consistency === 'exclusive' && this.blobLocks(binObj.id).writers > 0) stop('EAGAIN');
      const program = programOfBytes(binObj.bytes) ?? stop('ENOEXEC');
      if (!this.programs.includes(program)) stop('ENOENT');
      // The model's kernel has no worker executor and its programs are functions: they run in its thread only.
      if (sp.placement === 'worker' || ((flags as number) & 0x4) !== 0) stop('ENOTSUP');
      if (expectedKey !== undefined && this.aliveKey(expectedKey) !== undefined) stop('EEXIST');
      // Only an omitted list inherits the parent's memberships; a membership from a group reference has its rights.
      const memberships =
        groups !== undefined
          ? groups.map((g) => ({ group: g.obj, rights: g.rights }))
          : task.groups.map((m) => ({ ...m }));
      // What each membership may carry: the rights of the group reference it was made from, or the parent's membership.
      const membershipBounds =
        groups !== undefined ? groups.map((g) => g.rights) : task.groups.map((_, i) => this.bounds[`${t}@${i}`] ?? 0);
      return {
        expectedKey,
        expectedHandle: task.nextHandle,
        // The child's table: self reference 1, then the inputs, then the outputs.
        inputs: inputs.map((_, i) => 2 + i),
        outputs: outputs.map((_, i) => 2 + inputs.length + i),
        commit: (actualKey: string) => {
          if (derived) task.counter++;
          const child = this.#newTask(actualKey, memberships, undefined, membershipBounds);
          const pass = (r: MRef, rights: number) =>
            this.#open(
              child,
              r.obj,
              rights,
              { task: t, handle: r.handle },
              r.consistency,
              r.readBuf,
              r.writeBuf,
              r.rights,
            );
          for (const r of inputs) pass(r, r.rights & ~(W | X));
          for (const r of outputs) pass(r, r.rights & ~X);
          // The parent's reference to its child: the kernel's grant to whoever runs a task.
          this.#open(task, child.obj, R | W | D, undefined, 'optimistic', this.bufferSize, this.bufferSize, R | W | D);
          return child.id;
        },
      };
    });
  }

  /** select by task `t`: the handle it must return; with a timeout (0 polls) and nothing ready, ETIMEDOUT. */
  select(t: number, refs: unknown, options: unknown, flags: unknown): Fail | SelectPlan {
    return predicting(() => {
      this.#running(t);
      if (!flagsValid(flags, FLAG_MASK.select)) stop('EINVAL');
      if (!Array.isArray(refs) || refs.length > MAX_REFS_PER_CALL || refs.length === 0) stop('EINVAL');
      if (!optionsOk(options, ['timeoutMs'])) stop('EINVAL');
      const o = opts(options);
      if (o.timeoutMs !== undefined && !intIn(o.timeoutMs, 0, MAX_TIMEOUT)) stop('EINVAL');
      const mode = (flags as number) & 0x1 ? 'write' : 'read';
      const list = (refs as unknown[]).map((h) => this.refOf(t, h) ?? stop('EBADF'));
      for (const r of list) if (!(r.rights & (mode === 'read' ? R : W))) stop('EACCES');
      const task = this.task(t);
      if ((flags as number) & 0x2) {
        // ALL: every ready handle, in the order given, each once.
        const all = [...new Set(list.filter((r) => this.isReady(r, mode)).map((r) => r.handle))];
        if (all.length === 0 && o.timeoutMs !== undefined) stop('ETIMEDOUT');
        return { ready: all.length > 0 ? all : undefined, commit: () => undefined };
      }
      // The scan starts just after the handle the task's last select returned, when it is in the list.
      const start = list.findIndex((r) => r.handle === task.lastSelected) + 1;
      const rotated = [...list.slice(start), ...list.slice(0, start)];
      const ready = rotated.find((r) => this.isReady(r, mode));
      if (ready === undefined && o.timeoutMs !== undefined) stop('ETIMEDOUT');
      return {
        ready: ready?.handle,
        commit: () => {
          if (ready !== undefined) task.lastSelected = ready.handle;
        },
      };
    });
  }

  /** begin_read by task `t`: the errno, or the bytes it must lend. */
  beginRead(t: number, handle: unknown, options: unknown, flags: unknown): Fail | ReadPlan {
    return predicting(() => {
      this.#running(t);
      if (!flagsValid(flags, FLAG_MASK.beginRead)) stop('EINVAL');
      const nonblock = ((flags as number) & 0x1) !== 0;
      const ref = this.refOf(t, handle) ?? stop('EBADF');
      if (!optionsOk(options, ['offset', 'length'])) stop('EINVAL');
      const o = opts(options);
      if (o.offset !== undefined && !intIn(o.offset, 0, MAX_BLOB)) stop('EINVAL');
      if (o.length !== undefined && !intIn(o.length, 0, MAX_BLOB)) stop('EINVAL');
      const offset = o.offset ?? 0;
      const want = o.length ?? MAX_BLOB;
      if (!(ref.rights & R)) stop('EACCES');
      const obj = this.obj(ref.obj);
      let content: number[];
      let exclusive = false;
      switch (obj.type) {
        case 'group':
          return stop('EINVAL');
        case 'task': {
          // A task object's bytes are its label (none in this model), for that task alone.
          if (obj.id !== this.task(t).obj) stop('EINVAL');
          const label = OWN_LABEL_BYTES;
          if (offset > label.length) stop('EINVAL');
          content = label.slice(offset, offset + Math.min(want, label.length - offset));
          break;
        }
        case 'private-memory-blob':
        case 'shared-memory-blob': {
          if (offset > obj.bytes.length) stop('EINVAL');
          exclusive = ref.consistency === 'exclusive';
          if (exclusive && this.blobLocks(obj.id).writers > 0) stop('EAGAIN', !nonblock);
          const n = Math.min(want, obj.bytes.length - offset);
          content = obj.bytes.slice(offset, offset + n);
          break;
        }
        case 'shared-memory-stream': {
          if (offset !== 0) stop('ESPIPE');
          // An empty lease means end-of-stream, so a stream read asks for at least one byte.
          if (want === 0) stop('EINVAL');
          if (!this.isReady(ref, 'read')) stop('EAGAIN', !nonblock);
          // A lease is one contiguous region of the ring: a read stops at the ring's end.
          const n = Math.min(want, obj.fifo.length, obj.capacity - (obj.head % obj.capacity));
          content = obj.fifo.slice(0, n);
          break;
        }
        case 'console': {
          if (offset !== 0) stop('ESPIPE');
          // As for streams: an empty lease means the end of input.
          if (want === 0) stop('EINVAL');
          if (!this.isReady(ref, 'read')) stop('EAGAIN', !nonblock);
          const chunk = obj.input[0] ?? [];
          content = chunk.slice(0, Math.min(want, chunk.length));
          break;
        }
      }
      return {
        content,
        commit: () =>
          this.#lease({
            task: t,
            handle: ref.handle,
            obj: obj.id,
            kind: 'read',
            offset,
            length: content.length,
            version: obj.version,
            exclusive,
            truncate: false,
            data: content,
          }),
      };
    });
  }

  /** end_read by task `t` of `lease` (undefined: a buffer the kernel never lent). */
  endRead(t: number, handle: unknown, lease: MLease | undefined, flags: unknown): Fail | EndReadPlan {
    return predicting(() => {
      this.#running(t);
      if (!flagsValid(flags, FLAG_MASK.endRead)) stop('EINVAL');
      const ref = this.refOf(t, handle) ?? stop('EBADF');
      if (
        lease === undefined ||
        lease.returned ||
        lease.task !== t ||
        lease.handle !== ref.handle ||
        lease.kind !== 'read'
      )
        stop('EINVAL');
      const release = ((flags as number) & 0x1) !== 0;
      const obj = this.obj(lease.obj);
      const valid = obj.type.endsWith('blob') ? release || lease.version === obj.version : true;
      return {
        valid,
        commit: () => {
          lease.returned = true;
          if (release) return;
          if (obj.type === 'shared-memory-stream') {
            obj.fifo.splice(0, lease.length);
            obj.head += lease.length;
          } else if (obj.type === 'console' && lease.length > 0) {
            const chunk = obj.input[0]!;
            if (lease.length === chunk.length) obj.input.shift();
            else obj.input[0] = chunk.slice(lease.length);
          }
        },
      };
    });
  }

  /** begin_write by task `t`: the errno, or the buffer it must lend. */
  beginWrite(t: number, handle: unknown, length: unknown, options: unknown, flags: unknown): Fail | WritePlan {
    return predicting(() => {
      this.#running(t);
      if (!flagsValid(flags, FLAG_MASK.beginWrite)) stop('EINVAL');
      const nonblock = ((flags as number) & 0x1) !== 0;
      const ref = this.refOf(t, handle) ?? stop('EBADF');
      if (!intIn(length, 0, MAX_BLOB)) stop('EINVAL');
      if (!optionsOk(options, ['offset', 'truncate'])) stop('EINVAL');
      const o = opts(options);
      if (o.offset !== undefined && !intIn(o.offset, 0, MAX_BLOB)) stop('EINVAL');
      if (o.truncate !== undefined && typeof o.truncate !== 'boolean') stop('EINVAL');
      const append = ((flags as number) & 0x2) !== 0;
      if (append && o.offset !== undefined) stop('EINVAL');
      if (append && o.truncate === true) stop('EINVAL');
      const offset = o.offset ?? 0;
      if (!(ref.rights & W)) stop('EACCES');
      const obj = this.obj(ref.obj);
      let exclusive = false;
      switch (obj.type) {
        case 'group':
          return stop('EINVAL');
        case 'task':
          // A label change, written whole by the task itself.
          if (obj.id !== this.task(t).obj) stop('EINVAL');
          if (append || offset !== 0) stop('EINVAL');
          break;
        case 'private-memory-blob':
        case 'shared-memory-blob':
          if (offset > obj.bytes.length) stop('EINVAL');
          if (offset + length > MAX_BLOB) stop('EINVAL');
          if (!this.isReady(ref, 'write')) stop('EAGAIN', !nonblock);
          exclusive = ref.consistency === 'exclusive';
          break;
        case 'shared-memory-stream':
          if (offset !== 0) stop('ESPIPE');
          if (length > obj.capacity) stop('EINVAL');
          if (obj.eof) stop('EPIPE');
          if (this.streamReaders(obj.id) === 0) stop('EPIPE');
          if (this.leased(obj.id, 'write') || obj.capacity - obj.fifo.length < length) stop('EAGAIN', !nonblock);
          break;
        case 'console':
          break;
      }
      return {
        length,
        zeroed: obj.type.endsWith('blob') || obj.type === 'task',
        commit: (data: number[]) =>
          this.#lease({
            task: t,
            handle: ref.handle,
            obj: obj.id,
            kind: 'write',
            offset,
            length,
            version: obj.version,
            exclusive,
            truncate: o.truncate === true,
            append,
            data,
          }),
      };
    });
  }

  /** end_write by task `t` of `lease` (undefined: a buffer the kernel never lent): the errno, or the new version. */
  endWrite(
    t: number,
    handle: unknown,
    lease: MLease | undefined,
    options: unknown,
    flags: unknown,
  ): Fail | EndWritePlan {
    return predicting(() => {
      this.#running(t);
      if (!flagsValid(flags, FLAG_MASK.endWrite)) stop('EINVAL');
      const ref = this.refOf(t, handle) ?? stop('EBADF');
      if (
        lease === undefined ||
        lease.returned ||
        lease.task !== t ||
        lease.handle !== ref.handle ||
        lease.kind !== 'write'
      )
        stop('EINVAL');
      if (!optionsOk(options, ['length'])) stop('EINVAL');
      const o = opts(options);
      if (o.length !== undefined && !intIn(o.length, 0, lease.length)) stop('EINVAL');
      const n = o.length ?? lease.length;
      const discard = ((flags as number) & 0x1) !== 0;
      const eos = ((flags as number) & 0x2) !== 0;
      const obj = this.obj(lease.obj);
      if (eos && obj.type !== 'shared-memory-stream') stop('EINVAL');
      if (eos && discard) stop('EINVAL');
      // A label change that is not a valid empty change is refused whole, the buffer still lent (no tags in this model).
      if (obj.type === 'task' && !discard && !isEmptyLabelChange(lease.data.slice(0, n))) stop('EINVAL');
      const bumps = !discard && obj.type !== 'task' && (obj.type.endsWith('blob') || n > 0);
      return {
        version: obj.version + (bumps ? 1 : 0),
        commit: () => {
          lease.returned = true;
          if (discard) return;
          const data = lease.data.slice(0, n);
          if (obj.type === 'private-memory-blob' || obj.type === 'shared-memory-blob') {
            // No holes: a gap left by a truncation since begin_write reads as zeros.
            const b = obj.bytes.slice();
            const at = lease.append === true ? b.length : lease.offset;
            while (b.length < at) b.push(0);
            data.forEach((v, i) => (b[at + i] = v));
            if (lease.truncate) b.length = at + n;
            obj.bytes = b;
            obj.version++;
          } else if (obj.type === 'shared-memory-stream') {
            obj.fifo.push(...data);
            if (n > 0) obj.version++;
            if (eos) obj.eof = true;
          } else if (obj.type === 'console' && n > 0) {
            obj.output.push(...data);
            obj.version++;
          }
        },
      };
    });
  }

  // ---- the host --------------------------------------------------------------

  /** The console object. */
  consoleObj(): MObj {
    return this.objects.find((o) => o.type === 'console')!;
  }
  /** The host pushes input to the console (an empty chunk is nothing). */
  pushConsoleInput(bytes: number[]): void {
    if (bytes.length > 0) this.consoleObj().input.push(bytes.slice());
  }
  /** The host ends the console's input. */
  endConsoleInput(): void {
    this.consoleObj().inputEnded = true;
  }

  // ---- effects -----------------------------------------------------------------

  #running(t: number): MTask {
    const task = this.task(t);
    if (task.state === 'exited') stop('ECANCELED');
    return task;
  }

  #newObj(
    key: string,
    type: MType,
    lifecycle: MLifecycle,
    indexGroup: number | undefined,
    creator: number | undefined,
    mask = DEFAULT_MASK[type]!,
  ): MObj {
    const o: MObj = {
      id: this.objects.length,
      key,
      type,
      lifecycle,
      indexGroup,
      creator,
      destroyed: false,
      version: 0,
      bytes: [],
      capacity: 0,
      head: 0,
      fifo: [],
      eof: false,
      input: [],
      inputEnded: false,
      output: [],
      task: undefined,
      mask,
    };
    this.objects.push(o);
    this.addKnownName(key);
    return o;
  }

  /** A task, named in its first group only when that membership carries WRITE; `memberships`: each membership's bound (a number: the same for all). */
  #newTask(key: string, groups: MMembership[], mask: number | undefined, memberships: number | number[]): MTask {
    const home = groups[0] !== undefined && groups[0].rights & W ? groups[0].group : undefined;
    const obj = this.#newObj(key, 'task', 'refcounted', home, undefined, mask);
    const task: MTask = {
      id: this.tasks.length,
      obj: obj.id,
      key,
      refs: [],
      nextHandle: 1,
      self: 1,
      groups,
      counter: 0,
      state: 'running',
      exitStatus: undefined,
    };
    obj.task = task.id;
    this.tasks.push(task);
    groups.forEach(
      (_, i) => (this.bounds[`${task.id}@${i}`] = typeof memberships === 'number' ? memberships : memberships[i]!),
    );
    task.self = this.#open(
      task,
      obj.id,
      R | W,
      undefined,
      'optimistic',
      this.bufferSize,
      this.bufferSize,
      R | W,
    ).handle;
    return task;
  }

  /** `bound`: the most rights the rule the reference is made under allows (see {@link KernelModel.bounds}). */
  #open(
    task: MTask,
    obj: number,
    rights: number,
    parent: MRef['parent'],
    consistency: MConsistency,
    readBuf: number,
    writeBuf: number,
    bound: number,
  ): MRef {
    const ref: MRef = { handle: task.nextHandle++, obj, rights, consistency, readBuf, writeBuf, parent };
    task.refs.push(ref);
    this.bounds[`${task.id}:${ref.handle}`] = bound;
    return ref;
  }

  /**
   * What a lookup by `t` may grant on `obj`, stated apart from {@link KernelModel.visible}: for each membership and
   * each held group reference with READ whose group (alive) indexes the object, its rights, within the object's mask.
   */
  lookupGrant(t: number, obj: number): number {
    const o = this.obj(obj);
    if (o.indexGroup === undefined || this.obj(o.indexGroup).destroyed) return 0;
    const task = this.task(t);
    let grant = 0;
    for (const m of task.groups) if (m.group === o.indexGroup && m.rights & R) grant |= m.rights & o.mask;
    for (const r of task.refs) if (r.obj === o.indexGroup && r.rights & R) grant |= r.rights & o.mask;
    return grant;
  }

  #lease(l: Omit<MLease, 'id' | 'returned'>): number {
    const lease: MLease = { ...l, id: this.leases.length, returned: false };
    this.leases.push(lease);
    return lease.id;
  }

  /** Closes a reference: its lent buffers go back without effect (reads released, writes discarded). */
  #close(t: number, handle: number, destroyIfLast: boolean): void {
    const task = this.task(t);
    const ref = task.refs.find((r) => r.handle === handle)!;
    for (const l of this.leasesOfRef(t, handle)) l.returned = true;
    task.refs = task.refs.filter((r) => r !== ref);
    const obj = this.obj(ref.obj);
    // Like a pipe: once no reference can write, the stream has ended for good (a writer opened later does not undo it).
    if (obj.type === 'shared-memory-stream' && this.streamWriters(obj.id) === 0) obj.eof = true;
    if (destroyIfLast && obj.lifecycle === 'refcounted' && this.refCount(obj.id) === 0) this.#destroy(obj.id);
  }

  /** Destroys an object: every reference to it is revoked; its name resolves no more. */
  #destroy(id: number): void {
    const obj = this.obj(id);
    if (obj.destroyed) return;
    for (const { task, ref } of this.refsTo(id)) this.#close(task.id, ref.handle, false);
    obj.destroyed = true;
  }

  #exit(t: number, status: number): void {
    const task = this.task(t);
    task.state = 'exited';
    task.exitStatus = status;
    // Private memory goes with its creator, held or not (a dropped single-delete one too).
    const fateShared = this.objects
      .filter((o) => !o.destroyed && o.type === 'private-memory-blob' && o.creator === t)
      .map((o) => o.id);
    for (const ref of [...task.refs]) this.#close(t, ref.handle, true);
    for (const o of fateShared) this.#destroy(o);
    if (this.refCount(task.obj) === 0) this.#destroy(task.obj);
  }
}
