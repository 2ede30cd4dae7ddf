/**
 * run: a peer starts a task on this kernel. The task is fate-shared with
 * its parent there: it exits when that peer is found gone.
 * @module
 */
import { errors } from '../../abi/errors.js';
import { Name } from '../../abi/names.js';
import { Rights, RunFlags } from '../../abi/flags.js';
import { placementOf, programId } from '../../syscalls/run.js';
import { dropForeign, rightsWithin } from './passed-refs.js';
import type { PeerHandler } from './peer-call.js';

/** Starts the task; replies with a handle on it held for the peer, and its description. */
export const serveRun: PeerHandler<'run'> = async (call, req) => {
  try {
    const { kernel, proxy, from } = call;
    const id = programId(req.binary);
    if (id === undefined) throw errors.ENOEXEC('run', 'binary', 'the binary does not name a program');
    const program = kernel.programs.get(id);
    if (program === undefined) throw errors.ENOENT('run', 'binary', `no program "${id}" is installed on kernel ${kernel.id}`);
    const name = req.name !== undefined ? Name.parse(req.name, 'run', 'spec.name') : Name.random();
    if (kernel.objects.has(name.key)) throw errors.EEXIST('run', 'spec.name', `an object named ${name.key} already exists on kernel ${kernel.id}`);
    const groups = req.groups.map(({ key, rights }) => ({ group: call.replicaGroup(key), rights: rights & Rights.ALL }));
    const inputs = req.inputs.map((r, i) => ({ rights: rightsWithin(call, r.ref, r.rights, 'run', `spec.inputs[${i}]`), obj: call.importer.importHandle(from, r.ref) }));
    const outputs = req.outputs.map((r, i) => ({ rights: rightsWithin(call, r.ref, r.rights, 'run', `spec.outputs[${i}]`), obj: call.importer.importHandle(from, r.ref) }));
    // The serving kernel decides where the task runs, by the same rule as a local run.
    const placement = placementOf(kernel, typeof program === 'function', undefined, req.flags);
    const child = kernel.newTask(name, { argv: req.argv, env: req.env, groups, program, placement, pure: (req.flags & RunFlags.PURE) !== 0 });
    child.inputs = inputs.map((r) => kernel.openRef(child, r.obj, r.rights, undefined).id);
    child.outputs = outputs.map((r) => kernel.openRef(child, r.obj, r.rights, undefined).id);
    const exported = call.export(from, child, Rights.READ | Rights.WRITE | Rights.DELEGATE, undefined);
    // Exited tasks are pruned here, so the set holds about as many tasks as are alive.
    for (const t of proxy.runs) if (t.state === 'exited') proxy.runs.delete(t);
    proxy.runs.add(child);
    if ((req.flags & RunFlags.START_PAUSED) === 0) kernel.startTask(child);
    return { ok: true, handle: exported.handle, object: call.describe(child) };
  } catch (e) {
    dropForeign(call, [...req.inputs, ...req.outputs]);
    throw e;
  }
};
