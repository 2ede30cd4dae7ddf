/**
 * The network device: TCP listeners and connections over node:net, so that
 * a DIOS task does network I/O only through the system calls
 * (`create(TCP_LISTENER, { address })`, select and begin_read to accept,
 * lookup of the accepted name, begin/end_read and begin/end_write on the
 * connection, delete to close).
 * @module
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Device, DeviceRequest } from '../../core/kernel/device.js';
import { errors } from '../../core/abi/errors.js';
import { ObjectType } from '../../core/abi/flags.js';
import type { Kernel } from '../../core/kernel.js';
import type { KernelObject } from '../../core/objects/kernel-object.js';
import { checkAddress, socketError } from './address.js';
import { TcpConnectionObject } from './tcp-connection.js';
import { TcpListenerObject } from './tcp-listener.js';

/** Gives `kernel` the network device (TCP_LISTENER and TCP_CONNECTION objects). */
export function useNetwork(kernel: Kernel): void {
  if (kernel.devices.has(ObjectType.TCP_LISTENER))
    throw errors.EBUSY('useNetwork', 'kernel', `kernel ${kernel.id} already has a network device`);
  kernel.devices.set(ObjectType.TCP_LISTENER, listenerDevice(kernel));
  kernel.devices.set(ObjectType.TCP_CONNECTION, connectionDevice());
}

function listenerDevice(kernel: Kernel): Device {
  return {
    type: ObjectType.TCP_LISTENER,
    async open(req: DeviceRequest): Promise<KernelObject> {
      const { host, port } = checkAddress(req.syscall, req.address, true);
      // Half-open: a peer that ends its side may still be written to, until the task ends ours.
      const server: Server = createServer({ allowHalfOpen: true });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e) => reject(socketError(req.syscall, 'options.address', e)));
        server.listen({ host, port, backlog: 511 }, () => resolve());
      });
      // Errors after listening (rare: the handle failing) close the server; readers then wait no more.
      server.on('error', () => server.close());
      const bound = server.address();
      const actualPort = bound !== null && typeof bound === 'object' ? bound.port : port;
      return new TcpListenerObject(req.name, req.lifecycle, req.group, kernel, server, host, actualPort);
    },
  };
}

function connectionDevice(): Device {
  return {
    type: ObjectType.TCP_CONNECTION,
    async open(req: DeviceRequest): Promise<KernelObject> {
      const { host, port } = checkAddress(req.syscall, req.address, false);
      const socket: Socket = await new Promise((resolve, reject) => {
        const s = connect({ host, port, allowHalfOpen: true });
        s.once('connect', () => resolve(s));
        s.once('error', (e) => reject(socketError(req.syscall, 'options.address', e)));
      });
      return new TcpConnectionObject(req.name, req.lifecycle, req.group, socket);
    },
  };
}

/** The port a listener object is bound to (the host's view: tasks learn it from whoever created the listener). */
export function listenerPort(obj: KernelObject): number | undefined {
  return obj instanceof TcpListenerObject ? obj.port : undefined;
}
