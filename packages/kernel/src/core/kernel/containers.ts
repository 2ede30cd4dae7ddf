/**
 * The host's container operations (docs/containers.md): making a container
 * (its group, tag, console and stop notice), sharing objects into it, asking
 * it to stop, killing and removing it. None is a system call: a container is
 * made and ended by the host, as a Docker daemon does; the tasks inside see
 * only their group. Joining happens in spawn (syscalls/spawn.ts).
 * @module
 */
import { errors } from '../abi/errors.js';
import { ObjectType, Rights, TAG_RIGHTS } from '../abi/flags.js';
import { describe, Name } from '../abi/names.js';
import {
  checkContainerId,
  checkLimits,
  Container,
  containerConsole,
  EXIT_KILLED,
  STOP_NOTICE_SEED,
  type ContainerLimits,
  type ContainerOptions,
} from '../objects/container.js';
import { GroupObject } from '../objects/group.js';
import { Label } from '../objects/label.js';
import type { KernelObject } from '../objects/kernel-object.js';
import { StreamObject } from '../objects/stream.js';
import { TagObject } from '../objects/tag.js';
import type { KernelState } from './kernel-state.js';

/**
 * The name of the group of container `id` made on kernel `home`, in a
 * cluster whose root group is `root`. The home's id is part of it: two
 * kernels of one cluster may each make a container of the same id, and
 * their groups must differ (a peer's lookup resolves in a group by its name).
 * Replicas on other kernels take the name the home sends.
 */
export function containerGroupName(root: Name, home: string, id: string): Name {
  return Name.seededSync(root, `dios-container\u0000${home}\u0000${id}`);
}

/**
 * Makes container `options.id`: its group (named in no group, so no task
 * finds it by name; init holds every right on it), a new secrecy tag (init
 * holds ADD and REMOVE), a console in the group, and the stop notice. A
 * group of that name that came back with durable blobs after a restart is
 * taken over, with its blobs. EEXIST when the id is taken.
 */
export function createContainer(kernel: KernelState, options: ContainerOptions): Container {
  const s = 'createContainer';
  if (typeof options !== 'object' || options === null)
    throw errors.EINVAL(s, 'options', `expected { id, limits?, tag?, consoleSink? }, got ${describe(options)}`);
  const id = checkContainerId(options.id, s);
  const limits = checkLimits(options.limits, s);
  if (kernel.containers.has(id)) throw errors.EEXIST(s, 'options.id', `container ${id} exists on kernel ${kernel.id}`);
  if (options.consoleSink !== undefined && typeof options.consoleSink !== 'function')
    throw errors.EINVAL(s, 'options.consoleSink', `expected a function, got ${describe(options.consoleSink)}`);
  if (options.tag !== undefined && !Name.isName(options.tag))
    throw errors.EINVAL(s, 'options.tag', `expected a Name, got ${describe(options.tag)}`);
  const group = groupFor(kernel, containerGroupName(kernel.rootGroup.name, kernel.id, id), s);
  const tagName = options.tag ?? kernel.newName();
  // The group carries the container's label: its tasks name files at paths there (NAME_DETERMINISTIC).
  group.label = Label.of([tagName.key], []);
  const existingTag = kernel.objects.get(tagName.key);
  if (existingTag !== undefined && existingTag.type !== ObjectType.TAG)
    throw errors.EEXIST(s, 'options.tag', `${tagName.key} names a ${existingTag.type} on kernel ${kernel.id}`);
  const consoleName = Name.seededSync(group.name, 'dios:console');
  const noticeName = Name.seededSync(group.name, STOP_NOTICE_SEED);
  for (const n of [consoleName, noticeName])
    if (kernel.objects.has(n.key))
      throw errors.EEXIST(s, 'options.id', `container ${id}'s device ${n.key} exists on kernel ${kernel.id}`);

  const init = kernel.tasks.get(kernel.init.taskName.key)!;
  const tag = existingTag ?? new TagObject(tagName, 'refcounted', undefined);
  if (existingTag === undefined) kernel.objects.set(tagName.key, tag);
  const console = containerConsole(consoleName, group, options.consoleSink);
  // The console carries the container's label, so its tasks may use it (an unlabelled device would be a way out).
  console.label = Label.of([tagName.key], []);
  const notice = new StreamObject(noticeName, 'immortal', group, 1);
  // Tasks of the container may wait on the notice, not end it: init's is the only writing reference.
  notice.restrictLookup(Rights.READ);
  for (const obj of [console, notice]) {
    kernel.objects.set(obj.name.key, obj);
    group.add(obj);
  }
  const handles = {
    group: kernel.openRef(init, group, Rights.ALL, undefined).id,
    tag: kernel.openRef(init, tag, TAG_RIGHTS, undefined).id,
    notice: kernel.openRef(init, notice, Rights.WRITE, undefined).id,
  };
  const container = new Container(id, group, tagName, limits, console, notice, handles);
  group.container = container;
  kernel.containers.set(id, container);
  return container;
}

/**
 * A peer's container, for a task a peer places here (remote run): the same
 * group by name, the same tag and limits; no console, notice or handles of
 * its own. Made on first use, shared by later tasks of that container; the
 * container itself when it is at home here.
 */
export function containerReplica(
  kernel: KernelState,
  home: string,
  id: string,
  tagKey: string,
  limits: ContainerLimits,
  groupKey?: string,
): Container {
  const s = 'run';
  checkContainerId(id, s);
  // Everything off the wire is checked before anything is made: a refused request leaves nothing behind.
  const tag = Name.parse(tagKey, s, 'container.tag');
  const checkedLimits = checkLimits(limits, s);
  const key = `${home}/${id}`;
  const known = kernel.containerReplicas.get(key);
  if (known !== undefined && !known.removed) return known;
  // The group of the home's name (the parent's membership names it), which differs from this kernel's own
  // derivation when the kernels' root groups do; never this kernel's root group.
  const groupName =
    groupKey !== undefined
      ? Name.parse(groupKey, s, 'container.group')
      : containerGroupName(kernel.rootGroup.name, home, id);
  if (groupName.key === kernel.rootGroup.name.key)
    throw errors.EINVAL(s, 'container.group', `a container's group is not the root group of kernel ${kernel.id}`);
  // The container is here already: this is its home (a task placed away runs a child back), or another peer's
  // task of it made the replica first.
  const existing = kernel.objects.get(groupName.key);
  const here = existing instanceof GroupObject ? existing.container : undefined;
  if (here !== undefined && !here.removed && here.id === id && here.tag.key === tag.key) return here;
  const group = groupFor(kernel, groupName, s);
  group.label = Label.of([tag.key], []);
  const console = containerConsole(Name.seededSync(group.name, `dios:console@${kernel.id}`), group, undefined);
  console.label = Label.of([tag.key], []);
  const notice = new StreamObject(
    Name.seededSync(group.name, `${STOP_NOTICE_SEED}@${kernel.id}`),
    'immortal',
    group,
    1,
  );
  notice.restrictLookup(Rights.READ);
  // Named like the home's devices, so the tasks placed here find the console sys.consoleName names.
  for (const obj of [console, notice])
    if (!kernel.objects.has(obj.name.key)) {
      kernel.objects.set(obj.name.key, obj);
      group.add(obj);
    }
  const replica = new Container(id, group, tag, checkedLimits, console, notice, { group: 0, tag: 0, notice: 0 }, home);
  group.container ??= replica;
  kernel.containerReplicas.set(key, replica);
  return replica;
}

/** Asks the container's tasks to stop: its stop notice ends, so every task waiting on it wakes. */
export function noticeContainer(kernel: KernelState, container: Container): void {
  const init = kernel.tasks.get(kernel.init.taskName.key)!;
  const ref = init.table.get(container.handles.notice);
  if (ref !== undefined) kernel.closeRef(ref);
}

/**
 * Gives the container a fresh stop notice once the last one has ended (a
 * stopped container that starts again): the ended stream goes, a new one of
 * the same name takes its place, and init holds its writing end.
 */
export function rearmContainer(kernel: KernelState, container: Container): void {
  if (!container.notice.ended && !container.notice.destroyed) return;
  const name = container.notice.name;
  kernel.destroyObject(container.notice, true);
  const notice = new StreamObject(name, 'immortal', container.group, 1);
  notice.restrictLookup(Rights.READ);
  kernel.objects.set(name.key, notice);
  container.group.add(notice);
  const init = kernel.tasks.get(kernel.init.taskName.key)!;
  container.notice = notice;
  container.handles = { ...container.handles, notice: kernel.openRef(init, notice, Rights.WRITE, undefined).id };
}

/** Ends every task of the container now, with `status` (default 137, as SIGKILL). */
export function killContainer(kernel: KernelState, container: Container, status = EXIT_KILLED): void {
  for (const task of container.tasks) kernel.exitTask(task, status, container.oomKilled ? 'oom' : 'killed');
}

/**
 * Makes `obj` resolvable inside the container, under its own name or under
 * `as` (the name a path has there), conferring at most `rights` (default
 * READ, WRITE and DELEGATE; no WRITE when `readOnly`). The labels still
 * decide what may flow (docs/containers.md).
 */
export function shareIntoContainer(
  container: Container,
  obj: KernelObject,
  options: { readonly as?: Name; readonly readOnly?: boolean; readonly rights?: number } = {},
): void {
  const s = 'shareIntoContainer';
  // The errors name the host's argument, init's handle on obj (Kernel.shareIntoContainer).
  if (obj.type === ObjectType.PRIVATE_MEMORY_BLOB || obj.type === ObjectType.GROUP || obj.type === ObjectType.TAG)
    throw errors.EINVAL(s, 'handle', `a ${obj.type} cannot be shared into a container`);
  if (obj.destroyed) throw errors.EBADF(s, 'handle', `object ${obj.name.key} is gone`);
  if (options.as !== undefined && !Name.isName(options.as))
    throw errors.EINVAL(s, 'options.as', `expected a Name, got ${describe(options.as)}`);
  let mask = options.rights ?? Rights.READ | Rights.WRITE | Rights.DELEGATE;
  if (options.readOnly === true) mask &= ~Rights.WRITE;
  container.group.share((options.as ?? obj.name).key, obj, mask);
}

/**
 * Removes the container: kills its tasks, destroys the objects named in its
 * group and in the groups named there (durable ones leave the store), its
 * console, notice and tag, and the group. Nothing starts in it afterwards.
 */
export function removeContainer(kernel: KernelState, container: Container): void {
  killContainer(kernel, container);
  container.removed = true;
  const group = container.group;
  // Groups its tasks made in it, and theirs in turn: what is named there is the container's too.
  const groups = [group];
  for (let i = 0; i < groups.length; i++)
    for (const obj of groups[i]!.members()) if (obj instanceof GroupObject) groups.push(obj);
  for (const g of groups.reverse()) for (const obj of [...g.members()]) kernel.destroyObject(obj, true);
  const tag = kernel.objects.get(container.tag.key);
  if (tag !== undefined) kernel.destroyObject(tag, true);
  kernel.destroyObject(group, true);
  kernel.containers.delete(container.id);
}

// A container's group (see hostGroup), refused when a live container has it.
function groupFor(kernel: KernelState, name: Name, s: string): GroupObject {
  const existing = kernel.objects.get(name.key);
  if (existing instanceof GroupObject && existing.container !== undefined && !existing.container.removed)
    throw errors.EEXIST(s, 'options.id', `group ${name.key} belongs to container ${existing.container.id}`);
  return hostGroup(kernel, name, s);
}

/**
 * The group of `name` for the host's own use: a new one named in no group,
 * or one that came back with durable blobs (taken out of the root group,
 * where the boot put it, so that nobody finds it by name).
 */
export function hostGroup(kernel: KernelState, name: Name, s: string): GroupObject {
  const existing = kernel.objects.get(name.key);
  if (existing instanceof GroupObject) {
    if (existing.group !== undefined) {
      existing.group.remove(existing);
      existing.unname();
    }
    return existing;
  }
  if (existing !== undefined) throw errors.EEXIST(s, 'options.id', `${name.key} names a ${existing.type}`);
  const group = new GroupObject(name, 'immortal', undefined);
  kernel.objects.set(name.key, group);
  return group;
}
