/**
 * The kernel's invariant check: no dangling references, reference counts
 * that match the tables, no buffer lent twice, locks that match leases.
 * Tests run it after every step of a property test.
 * @module
 */
import { errors } from '../abi/errors.js';
import type { KernelState } from './kernel-state.js';
import { BlobObject } from '../objects/blob.js';
import { DurableBlobObject } from '../objects/durable-blob.js';
import { GroupObject } from '../objects/group.js';
import type { KernelObject } from '../objects/kernel-object.js';
import { StreamObject } from '../objects/stream.js';
import type { Lease } from '../objects/reference.js';

/** Throws EINVAL listing every violated invariant of `kernel`. */
export function checkInvariants(kernel: KernelState): void {
  const problems: string[] = [];
  const counted = new Map<KernelObject, number>();
  const buffers = new Map<ArrayBufferLike, { start: number; end: number; lease: Lease }[]>();
  const leasesOf = new Map<KernelObject, Lease[]>();

  for (const task of kernel.tasks.values()) {
    if (task.state === 'exited' && task.table.size > 0)
      problems.push(`exited task ${task.name.key} still holds ${task.table.size} references`);
    const heldGroups = new Map<GroupObject, number>();
    for (const [handle, ref] of task.table) {
      const where = `task ${task.name.key} ref ${handle}`;
      if (ref.id !== handle) problems.push(`${where}: stored under the wrong handle ${ref.id}`);
      if (!ref.open) problems.push(`${where}: closed but still in the table`);
      if (ref.owner !== task.name.key) problems.push(`${where}: owned by ${ref.owner}`);
      if (handle >= task.nextHandle) problems.push(`${where}: handle beyond the allocator (${task.nextHandle})`);
      const obj = ref.object;
      if (obj.destroyed) problems.push(`${where}: dangling, its object ${obj.name.key} is destroyed`);
      if (obj.home === undefined && kernel.objects.get(obj.name.key) !== obj)
        problems.push(`${where}: object ${obj.name.key} is not in the object table`);
      if (!obj.refs.has(ref)) problems.push(`${where}: missing from its object's reference set`);
      counted.set(obj, (counted.get(obj) ?? 0) + 1);
      if (obj instanceof GroupObject) heldGroups.set(obj, (heldGroups.get(obj) ?? 0) + 1);
      if (ref.leaseCount > 0)
        for (const [buffer, lease] of ref.leases) {
          if (lease.buffer !== buffer || lease.ref !== ref)
            problems.push(`${where}: lease filed under the wrong buffer or reference`);
          const list = leasesOf.get(obj) ?? [];
          list.push(lease);
          leasesOf.set(obj, list);
          // Write leases must not overlap any other lease; read leases of one blob may share bytes.
          const regions = buffers.get(buffer.buffer) ?? [];
          const start = buffer.byteOffset;
          const end = start + buffer.byteLength;
          for (const other of regions) {
            const overlap = start < other.end && other.start < end && buffer.byteLength > 0;
            if (overlap && (lease.kind === 'write' || other.lease.kind === 'write')) {
              problems.push(
                `${where}: ${lease.kind} buffer overlaps a ${other.lease.kind} buffer lent through ref ${other.lease.ref.id}`,
              );
            }
          }
          regions.push({ start, end, lease });
          buffers.set(buffer.buffer, regions);
        }
    }
    for (const [g, n] of heldGroups) {
      const recorded = task.heldGroups.get(g)?.size;
      if (recorded !== n)
        problems.push(`task ${task.name.key}: holds ${n} refs to group ${g.name.key}, recorded ${recorded}`);
    }
    if (task.heldGroups.size !== heldGroups.size) problems.push(`task ${task.name.key}: stale held-group entries`);
  }

  const all = new Set<KernelObject>([...kernel.objects.values(), ...counted.keys()]);
  for (const obj of all) {
    const n = counted.get(obj) ?? 0;
    if (obj.refCount !== n || obj.refs.size !== n) {
      problems.push(
        `object ${obj.name.key}: refCount ${obj.refCount}, reference set ${obj.refs.size}, tables hold ${n}`,
      );
    }
    if (obj.home === undefined && obj.lifecycle === 'refcounted' && n === 0 && !obj.destroyed && obj.type !== 'task') {
      problems.push(`object ${obj.name.key}: refcounted with no references but not destroyed`);
    }
    // A group that was destroyed takes its index with it; its members stay reachable by reference only.
    if (
      obj.group !== undefined &&
      !obj.group.destroyed &&
      !obj.destroyed &&
      !obj.group.resolve(obj.name.key)?.has(obj)
    ) {
      problems.push(`object ${obj.name.key}: missing from its group's index`);
    }
    problems.push(...obj.problems());
    // A durable commit on its way to the store keeps its write lock, though its task has ended the lease.
    const leases = [...(leasesOf.get(obj) ?? []), ...(obj instanceof DurableBlobObject ? obj.committing : [])];
    if (obj instanceof StreamObject) {
      const reads = leases.filter((l) => l.kind === 'read').length;
      const writes = leases.filter((l) => l.kind === 'write').length;
      if (reads > 1 || writes > 1)
        problems.push(`stream ${obj.name.key}: ${reads} read and ${writes} write leases at once`);
      if (obj.leased.reading !== reads > 0 || obj.leased.writing !== writes > 0) {
        problems.push(`stream ${obj.name.key}: lease flags do not match the outstanding leases`);
      }
    }
    if (obj instanceof BlobObject) {
      const locks = obj.locks;
      const writers = leases.filter((l) => l.kind === 'write').length;
      const exclusiveReaders = leases.filter((l) => l.kind === 'read' && l.exclusive).length;
      const exclusiveWriter = leases.some((l) => l.kind === 'write' && l.exclusive);
      if (
        locks.writers !== writers ||
        locks.exclusiveReaders !== exclusiveReaders ||
        locks.exclusiveWriter !== exclusiveWriter
      ) {
        problems.push(`blob ${obj.name.key}: locks ${JSON.stringify(locks)} do not match the outstanding leases`);
      }
    }
  }
  for (const obj of kernel.objects.values()) {
    if (obj.destroyed) problems.push(`object ${obj.name.key}: destroyed but still in the object table`);
    if (obj.fateShared && !obj.destroyed) {
      const creator = obj.creator === undefined ? undefined : kernel.tasks.get(obj.creator);
      if (creator === undefined || creator.state === 'exited')
        problems.push(`object ${obj.name.key}: fate-shared but its creator ${obj.creator} has exited`);
      else if (!creator.privateObjects.has(obj))
        problems.push(`object ${obj.name.key}: fate-shared but not recorded with its creator`);
    }
    if (obj instanceof GroupObject) {
      for (const member of obj.members())
        if (member.destroyed) problems.push(`group ${obj.name.key}: indexes destroyed object ${member.name.key}`);
    }
  }
  if (problems.length > 0) throw errors.EINVAL('checkInvariants', undefined, problems.join('; '));
}
