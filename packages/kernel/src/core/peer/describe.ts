/**
 * Descriptors: what a kernel tells a peer about one of its objects.
 * @module
 */
import type { Lifecycle } from '../abi/flags.js';
import type { KernelObject } from '../objects/kernel-object.js';
import type { TaskStatus } from '../abi/system-calls.js';
import type { ObjectDescriptor } from '../wire/transport.js';

/** Describes a local object for a peer. */
export function describeObject(obj: KernelObject): ObjectDescriptor {
  const desc: ObjectDescriptor = {
    name: obj.name.key,
    type: obj.type,
    // A proxy for a remote object is refcounted itself; a third kernel needs the lifecycle at the object's home.
    lifecycle: (obj as unknown as { homeLifecycle?: Lifecycle }).homeLifecycle ?? obj.lifecycle,
    size: obj.size,
    version: obj.version,
    persistent: obj.persistent,
  };
  const status = (obj as unknown as { taskStatus?: () => TaskStatus | undefined }).taskStatus?.();
  if (status !== undefined) desc.task = { state: status.state, exitStatus: status.exitStatus };
  return desc;
}
