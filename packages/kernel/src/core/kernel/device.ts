/**
 * Devices: object types whose bytes come from the host (network sockets on
 * Node). The core knows only this interface; a host layer registers a
 * device per type, and create hands it the checked options.
 * @module
 */
import type { ObjectType, Lifecycle } from '../abi/flags.js';
import type { Name } from '../abi/names.js';
import type { GroupObject } from '../objects/group.js';
import type { KernelObject } from '../objects/kernel-object.js';

/** What create passes a device once every common argument is checked. */
export interface DeviceRequest {
  /** The new object's name. */
  name: Name;
  /** The new object's lifecycle, checked. */
  lifecycle: Lifecycle;
  /** The group it is named in. */
  group: GroupObject;
  /** create's `options.address`, as given (the device checks it). */
  address: unknown;
  /** The system call, for errors. */
  syscall: string;
}

/** Makes objects of one host-provided type. */
export interface Device {
  /** The type it makes. */
  readonly type: ObjectType;
  /**
   * Makes the object (for example, binds a socket): rejects with a
   * DiosError naming `options.address` when the address is bad or in use.
   * The kernel enters the object in its tables afterwards.
   */
  open(request: DeviceRequest): Promise<KernelObject>;
}
