/**
 * run: a peer starts a task on this kernel, by the same rule as a local run
 * (syscalls/spawn.ts). The task is fate-shared with its parent there: it
 * exits when that peer is found gone.
 * @module
 */
import { errors } from '../../abi/errors.js';
import { Name, describe } from '../../abi/names.js';
import type { Placement } from '../../abi/program.js';
import { Rights } from '../../abi/flags.js';
import { spawn } from '../../syscalls/spawn.js';
import { labelFromWire } from '../../objects/label.js';
import { dropForeign, rightsWithin } from './passed-refs.js';
import type { PeerHandler } from './peer-call.js';
import { containerReplica } from '../../kernel/containers.js';
import type { KernelState } from '../../kernel/kernel-state.js';
import type { Container } from '../../objects/container.js';
import type { ContainerWire } from '../../wire/transport.js';

/** Starts the task; replies with a handle on it held for the peer, and its description. */
export const serveRun: PeerHandler<'run'> = async (call, req) => {
  try {
    const { proxy, from } = call;
    const { child, handle } = spawn(
      call.kernel,
      {
        binary: req.binary,
        placement: placementFrom(req.placement),
        flags: req.flags,
        argv: req.argv,
        env: req.env,
        // The child starts with its parent's label, as a local child does.
        label: labelFromWire(req.label, 'run', 'label'),
        // A container's task placed here joins this kernel's replica of that container.
        container: req.container === undefined ? undefined : replicaFor(call.kernel, from, req.container),
        name: () => (req.name !== undefined ? Name.parse(req.name, 'run', 'spec.name') : call.kernel.newName()),
        setup: () => ({
          groups: req.groups.map(({ key, rights }) => ({ group: call.replicaGroup(key), rights: rights & Rights.ALL })),
          inputs: req.inputs.map((r, i) => ({
            rights: rightsWithin(call, r.ref, r.rights, 'run', `spec.inputs[${i}]`),
            object: call.importer.importHandle(from, r.ref),
          })),
          outputs: req.outputs.map((r, i) => ({
            rights: rightsWithin(call, r.ref, r.rights, 'run', `spec.outputs[${i}]`),
            object: call.importer.importHandle(from, r.ref),
          })),
        }),
      },
      (task) => {
        // Exited tasks are pruned here, so the set holds about as many tasks as are alive.
        for (const t of proxy.runs) if (t.state === 'exited') proxy.runs.delete(t);
        proxy.runs.add(task);
        return {
          child: task,
          handle: call.export(from, task, Rights.READ | Rights.WRITE | Rights.DELEGATE, undefined).handle,
        };
      },
    );
    await call.kernel.distribution?.published(child.name.key);
    return { ok: true, handle, object: call.describe(child) };
  } catch (e) {
    dropForeign(call, [...req.inputs, ...req.outputs]);
    throw e;
  }
};

// The placement a peer asked for, checked again here: the request comes off the wire.
function placementFrom(asked: unknown): Placement | undefined {
  if (asked === undefined || asked === 'thread' || asked === 'worker') return asked;
  throw errors.EINVAL('run', 'spec.placement', `expected 'thread' or 'worker', got ${describe(asked)}`);
}

// The replica of the sender's container, its description checked: the request comes off the wire.
function replicaFor(kernel: KernelState, from: string, wire: ContainerWire): Container {
  if (typeof wire !== 'object' || wire === null || typeof wire.id !== 'string' || typeof wire.tag !== 'string')
    throw errors.EINVAL('run', 'container', `expected { id, tag, limits }, got ${describe(wire)}`);
  if (wire.group !== undefined && typeof wire.group !== 'string')
    throw errors.EINVAL('run', 'container.group', `expected a name key, got ${describe(wire.group)}`);
  return containerReplica(kernel, from, wire.id, wire.tag, wire.limits, wire.group);
}
