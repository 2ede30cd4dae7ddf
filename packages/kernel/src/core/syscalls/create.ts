/**
 * create(type, options, flags): makes an object and returns its name and a
 * reference with all rights.
 * @module
 */
import { errors } from '../abi/errors.js';
import {
  checkRights,
  CreateFlags,
  CREATABLE_TYPES,
  DEFAULT_LOOKUP_RIGHTS,
  DEVICE_TYPES,
  ObjectType,
  Rights,
  TAG_RIGHTS,
  type Consistency,
  type Lifecycle,
} from '../abi/flags.js';
import type { Device, DeviceRequest } from '../kernel/device.js';
import type { KernelState } from '../kernel/kernel-state.js';
import { Name, describe } from '../abi/names.js';
import { BlobObject, MAX_BLOB_BYTES, type BlobType } from '../objects/blob.js';
import { DurableBlobObject } from '../objects/durable-blob.js';
import { GroupObject } from '../objects/group.js';
import { OBJECT_OVERHEAD_BYTES } from '../objects/container.js';
import type { KernelObject } from '../objects/kernel-object.js';
import { DEFAULT_STREAM_CAPACITY, StreamObject } from '../objects/stream.js';
import type { TaskObject } from '../objects/task.js';
import { createArguments } from './arguments.js';
import { checkCallFlags, checkInt, checkOptions, requireRights } from './validate.js';
import { CREATE_OPTION_KEYS, type CreateOptions, type CreateResult } from '../abi/syscall-options.js';
import type { LabelSpec } from '../abi/labels.js';
import { canFlow, Label } from '../objects/label.js';
import { TagObject } from '../objects/tag.js';
import { recordFlow } from './flow.js';

const LIFECYCLES: readonly Lifecycle[] = ['immortal', 'single-delete', 'refcounted'];
const CONSISTENCIES: readonly Consistency[] = ['optimistic', 'exclusive'];
/** Largest stream ring (bytes). */
export const MAX_STREAM_CAPACITY = 1 << 30;

/** Implements create for `task`. */
export async function create(
  kernel: KernelState,
  task: TaskObject,
  type: unknown,
  options: unknown,
  flags: unknown,
): Promise<CreateResult> {
  const s = 'create';
  // Each argument read once, as a worker task's call is (see arguments.ts); the checks below then run on the snapshot.
  ({ type, options, flags } = createArguments(type, options, flags));
  checkCallFlags(s, flags, CreateFlags);
  if (!CREATABLE_TYPES.includes(type as ObjectType)) {
    throw errors.EINVAL(
      s,
      'type',
      `cannot create objects of type ${describe(type)} (creatable: ${CREATABLE_TYPES.join(', ')})`,
    );
  }
  const o = checkOptions<CreateOptions>(s, 'options', options, CREATE_OPTION_KEYS);
  const device = DEVICE_TYPES.includes(type as ObjectType) ? kernel.devices.get(type as ObjectType) : undefined;
  if (DEVICE_TYPES.includes(type as ObjectType) && device === undefined) {
    throw errors.ENOTSUP(s, 'type', `kernel ${kernel.id} has no ${String(type)} device (on Node: useNetwork(kernel))`);
  }
  if (device === undefined && o.address !== undefined)
    throw errors.EINVAL(s, 'options.address', `a ${String(type)} has no network address`);
  if (device !== undefined && o.address === undefined)
    throw errors.EINVAL(s, 'options.address', `a ${String(type)} needs an address`);
  if (device !== undefined && o.capacity !== undefined)
    throw errors.EINVAL(s, 'options.capacity', `a ${String(type)} has no capacity`);
  const durable = type === ObjectType.DURABLE_BLOB;
  if (durable && kernel.store === undefined)
    throw errors.ENOTSUP(s, 'type', `kernel ${kernel.id} was booted without a durable store`);
  // Durable blobs outlive every reference (and the kernel): they go only when deleted.
  const lifecycle = o.lifecycle ?? (durable ? 'immortal' : 'refcounted');
  if (!LIFECYCLES.includes(lifecycle))
    throw errors.EINVAL(s, 'options.lifecycle', `unknown lifecycle ${describe(lifecycle)}`);
  if (durable && lifecycle === 'refcounted') {
    throw errors.EINVAL(
      s,
      'options.lifecycle',
      'a durable blob is immortal or single-delete: it outlives its references',
    );
  }
  const consistency = o.consistency ?? 'optimistic';
  if (!CONSISTENCIES.includes(consistency))
    throw errors.EINVAL(s, 'options.consistency', `unknown policy ${describe(consistency)}`);
  const isStream = type === ObjectType.SHARED_MEMORY_STREAM;
  const capacity =
    o.capacity === undefined
      ? isStream
        ? DEFAULT_STREAM_CAPACITY
        : 0
      : checkInt(s, 'options.capacity', o.capacity, isStream ? 1 : 0, isStream ? MAX_STREAM_CAPACITY : MAX_BLOB_BYTES);
  if (o.capacity !== undefined && (type === ObjectType.GROUP || type === ObjectType.TAG))
    throw errors.EINVAL(s, 'options.capacity', `${type === ObjectType.TAG ? 'tags' : 'groups'} have no capacity`);
  const readBuf =
    o.readBufferSize === undefined
      ? kernel.bufferSize
      : checkInt(s, 'options.readBufferSize', o.readBufferSize, 1, MAX_BLOB_BYTES);
  const writeBuf =
    o.writeBufferSize === undefined
      ? kernel.bufferSize
      : checkInt(s, 'options.writeBufferSize', o.writeBufferSize, 1, MAX_BLOB_BYTES);
  const lookupRights =
    o.lookupRights === undefined ? undefined : checkRights(s, 'options.lookupRights', o.lookupRights);
  // A mask the store forgets would widen at the next boot.
  if (durable && lookupRights !== undefined && lookupRights !== DEFAULT_LOOKUP_RIGHTS[ObjectType.DURABLE_BLOB]) {
    throw errors.EINVAL(
      s,
      'options.lookupRights',
      'the durable store does not keep a lookup mask, so a durable blob has the default one',
    );
  }
  if (type === ObjectType.PRIVATE_MEMORY_BLOB && lifecycle === 'immortal') {
    throw errors.EINVAL(s, 'options.lifecycle', 'private memory is fate-shared with its task and cannot be immortal');
  }

  let group: GroupObject;
  if (o.group !== undefined) {
    const gref = kernel.ref(task, o.group, s, 'options.group');
    if (!(gref.object instanceof GroupObject))
      throw errors.EINVAL(s, 'options.group', `reference ${o.group} is a ${gref.object.type}, not a group`);
    requireRights(s, 'options.group', gref, Rights.WRITE);
    group = gref.object;
  } else {
    const home = task.setup.groups[0];
    if (home === undefined) throw errors.EINVAL(s, 'options.group', 'the task is a member of no group; pass one');
    if (!(home.rights & Rights.WRITE)) {
      throw errors.EACCES(
        s,
        'options.group',
        'the task joined its first group without write rights, so cannot create in it; pass a group',
      );
    }
    group = home.group;
  }
  const label = createdLabel(kernel, task, type as ObjectType, o.label);

  const deterministic = (flags as number) & CreateFlags.NAME_DETERMINISTIC;
  // A tag's name is what its capabilities are about: one that could be named again (on a peer, or here once gone)
  // would hand its maker ADD and REMOVE for everything labelled with it. Tags get random names only.
  if (deterministic && type === ObjectType.TAG)
    throw errors.EINVAL(s, 'flags', 'a tag cannot be named deterministically: its name must never be made again');
  // A deterministic name is one others can look for: entering it in a group the task's label may not flow to
  // would tell that group's readers something (a random name tells them nothing they could look for).
  if (deterministic && !canFlow(task.label, group.label)) {
    throw errors.EPERM(
      s,
      'flags',
      `the labels forbid a deterministic name in group ${group.name.key.slice(0, 12)} ${group.label.toString()} from the task ${task.label.toString()}; use a random name or a group with the task's label`,
    );
  }
  if (o.nameSeed !== undefined && !deterministic) {
    throw errors.EINVAL(s, 'options.nameSeed', 'a name seed needs CreateFlags.NAME_DETERMINISTIC');
  }
  if (o.nameSeed !== undefined && typeof o.nameSeed !== 'string') {
    throw errors.EINVAL(s, 'options.nameSeed', `expected a string, got ${describe(o.nameSeed)}`);
  }
  if (group.destroyed) {
    throw errors.EBADF(
      s,
      'options.group',
      o.group === undefined ? "the task's first group has been deleted; pass a group" : 'the group has been deleted',
    );
  }
  // What the object will hold counts against its task's container's memory limit (checked before anything changes).
  if (device === undefined)
    task.container?.checkRoom(
      s,
      type === ObjectType.SHARED_MEMORY_STREAM ? 'options.capacity' : 'type',
      capacity + OBJECT_OVERHEAD_BYTES,
    );
  const counter = deterministic && o.nameSeed === undefined ? task.reserveCounter() : 0;
  let name: Name;
  try {
    name = !deterministic
      ? kernel.newName()
      : o.nameSeed !== undefined
        ? await Name.seeded(group.name, o.nameSeed)
        : await Name.derived(task.name, counter);
    // A group's deterministic name also covers this kernel: made again on a peer, it would be taken there for this group.
    if (deterministic && type === ObjectType.GROUP) name = await Name.onKernel(kernel.id, name);
    if (task.state === 'exited') throw errors.ECANCELED(s, undefined, 'the task exited during the call');
    if (group.destroyed) throw errors.EBADF(s, 'options.group', 'the group was deleted during the call');
    if (kernel.objects.has(name.key))
      throw errors.EEXIST(s, 'name', `an object named ${name.key} already exists on this kernel`);
  } catch (e) {
    if (counter !== 0) task.releaseCounter(counter);
    throw e;
  }

  if (device !== undefined)
    return await openDevice(
      kernel,
      task,
      device,
      { name, lifecycle, group, address: o.address, syscall: s },
      consistency,
      readBuf,
      writeBuf,
      lookupRights,
    );

  // Everything is checked: from here on the call cannot fail.
  let obj: KernelObject;
  if (type === ObjectType.SHARED_MEMORY_STREAM) obj = new StreamObject(name, lifecycle, group, capacity);
  else if (type === ObjectType.GROUP) obj = new GroupObject(name, lifecycle, group);
  else if (type === ObjectType.TAG) obj = new TagObject(name, lifecycle, group);
  else if (durable) obj = new DurableBlobObject(name, lifecycle, group, kernel.store!, new Uint8Array(0), 0);
  else obj = new BlobObject(name, lifecycle, group, type as BlobType, capacity);
  obj.creator = task.name.key;
  obj.label = label;
  if (task.container !== undefined) {
    obj.owner = task.container;
    task.container.charge(obj);
  }
  if (lookupRights !== undefined) obj.restrictLookup(lookupRights);
  // Fate-shared objects are recorded with their task: a dropped reference must not let one outlive it.
  if (obj.fateShared) task.privateObjects.add(obj);
  kernel.objects.set(name.key, obj);
  group.add(obj);
  if (obj instanceof DurableBlobObject) {
    // The store must hold the blob before anyone is told it exists durably.
    try {
      await obj.persist();
    } catch (e) {
      kernel.destroyObject(obj);
      throw errors.EIO(s, 'type', `the durable store failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if ((task.state as string) === 'exited')
      throw errors.ECANCELED(s, undefined, 'the task exited during the call (the blob was created)');
  }
  // Every right that applies: a tag's creator holds both its capabilities.
  const rights = obj.type === ObjectType.TAG ? TAG_RIGHTS : Rights.ALL;
  const ref = kernel.openRef(task, obj, rights, undefined, consistency, readBuf, writeBuf);
  recordFlow(kernel, task, obj, 'create', s, 0, true);
  // A lookup on any peer finds the object once create returns.
  await kernel.distribution?.published(name.key);
  return { name, ref: ref.id };
}

/**
 * The label of a new object of `type`: `spec` (handles of tag references),
 * or the task's own label. The task must be able to flow to it: EPERM
 * otherwise. Tags and network objects are unlabelled (names are public, the
 * network is outside).
 */
function createdLabel(kernel: KernelState, task: TaskObject, type: ObjectType, spec: LabelSpec | undefined): Label {
  const s = 'create';
  const unlabelled = type === ObjectType.TAG || DEVICE_TYPES.includes(type);
  let label: Label;
  if (spec === undefined) label = unlabelled ? Label.EMPTY : task.label;
  else {
    const tags = (key: 'secrecy' | 'integrity') =>
      (spec[key] ?? []).map((h, i) => {
        const ref = kernel.ref(task, h, s, `options.label.${key}[${i}]`);
        if (ref.object.type !== ObjectType.TAG)
          throw errors.EINVAL(s, `options.label.${key}[${i}]`, `reference ${h} is a ${ref.object.type}, not a tag`);
        return ref.object.name.key;
      });
    label = Label.of(tags('secrecy'), tags('integrity'));
    if (unlabelled && !label.empty) {
      throw errors.EINVAL(
        s,
        'options.label',
        type === ObjectType.TAG
          ? 'a tag is unlabelled: its name is public'
          : `a ${type} is public: it cannot be labelled`,
      );
    }
  }
  // A tag carries no data: making one is no flow.
  if (type !== ObjectType.TAG && !canFlow(task.label, label)) {
    kernel.provenance?.add({
      at: kernel.clock.now(),
      task: task.name.key,
      program: task.setup.argv[0] ?? '',
      object: '',
      objectType: type,
      operation: 'create',
      syscall: s,
      bytes: 0,
      version: 0,
      allowed: false,
      taskLabel: task.label,
      objectLabel: label,
    });
    throw errors.EPERM(
      s,
      spec === undefined ? 'type' : 'options.label',
      `the labels forbid the flow from the task ${task.label.toString()} to a new ${type} ${label.toString()}`,
    );
  }
  return label;
}

// A device object: the host makes it (binding a socket may fail), then it is entered like any object.
async function openDevice(
  kernel: KernelState,
  task: TaskObject,
  device: Device,
  request: DeviceRequest,
  consistency: Consistency,
  readBuf: number,
  writeBuf: number,
  lookupRights: number | undefined,
): Promise<CreateResult> {
  const obj = await device.open(request);
  if (task.state === 'exited' || request.group.destroyed || kernel.objects.has(request.name.key)) {
    obj.destroy();
    if (task.state === 'exited') throw errors.ECANCELED(request.syscall, undefined, 'the task exited during the call');
    if (request.group.destroyed)
      throw errors.EBADF(request.syscall, 'options.group', 'the group was deleted during the call');
    throw errors.EEXIST(request.syscall, 'name', `an object named ${request.name.key} already exists on this kernel`);
  }
  obj.creator = task.name.key;
  if (lookupRights !== undefined) obj.restrictLookup(lookupRights);
  kernel.objects.set(request.name.key, obj);
  request.group.add(obj);
  const ref = kernel.openRef(task, obj, Rights.ALL, undefined, consistency, readBuf, writeBuf);
  recordFlow(kernel, task, obj, 'create', request.syscall, 0, true);
  await kernel.distribution?.published(request.name.key);
  return { name: request.name, ref: ref.id };
}
