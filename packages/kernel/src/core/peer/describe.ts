/**
 * Descriptors: what a kernel tells a peer about one of its objects.
 * @module
 */
import type { KernelObject } from '../objects/kernel-object.js';
import { RemoteObject } from '../objects/remote.js';
import { TaskObject } from '../objects/task.js';
import type { ObjectDescriptor } from '../wire/transport.js';

/** Describes a local object for a peer. */
export function describeObject(obj: KernelObject): ObjectDescriptor {
  const desc: ObjectDescriptor = {
    name: obj.name.key,
    type: obj.type,
    // A proxy for a remote object is refcounted itself; a third kernel needs the lifecycle at the object's home.
    lifecycle: obj instanceof RemoteObject ? obj.homeLifecycle : obj.lifecycle,
    size: obj.size,
    version: obj.version,
    persistent: obj.persistent,
  };
  if (!obj.label.empty) desc.label = obj.label.view();
  const isTask = obj instanceof TaskObject || obj instanceof RemoteObject;
  const status = isTask ? obj.taskStatus() : undefined;
  if (isTask && status !== undefined) {
    desc.task = { state: status.state, exitStatus: status.exitStatus };
    const process = obj.process;
    if (process !== undefined && process !== 'pure') desc.task.process = process;
  }
  return desc;
}
