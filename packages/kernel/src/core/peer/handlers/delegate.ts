/**
 * delegate: a peer's copy of references into a task that runs here.
 * @module
 */
import { errors } from '../../abi/errors.js';
import { Rights } from '../../abi/flags.js';
import { TaskObject } from '../../objects/task.js';
import { requireRights } from '../../syscalls/validate.js';
import { checkFlow } from '../../syscalls/flow.js';
import { canFlow, labelFromWire } from '../../objects/label.js';
import { dropForeign, rightsWithin } from './passed-refs.js';
import type { PeerHandler } from './peer-call.js';

/**
 * Opens the references in the target task; replies with their handles.
 * The home checks what it can itself: the peer's handle on the target, and
 * on each of this kernel's objects.
 */
export const serveDelegate: PeerHandler<'delegate'> = async (call, req) => {
  try {
    const { kernel, proxy } = call;
    const targetRef = kernel.ref(proxy.task, req.target, 'copy', 'target');
    const target = targetRef.object;
    if (!(target instanceof TaskObject)) throw errors.EINVAL('copy', 'target', 'not a task');
    requireRights('copy', 'target', targetRef, Rights.WRITE);
    if (target.state === 'exited') throw errors.ESRCH('copy', 'target', 'the task has exited');
    // The target's label is current here, at its home: the flow from the sender is checked here.
    const label = labelFromWire(req.label, 'copy', 'label');
    proxy.as(label, () => checkFlow(kernel, proxy.task, 'copy', 'target', target, 'out', 'copy'));
    const rights = req.refs.map((r, i) => rightsWithin(call, r.ref, r.rights, 'copy', `refs[${i}]`));
    const objects = req.refs.map((r) => call.importer.importHandle(call.from, r.ref));
    const handles = objects.map((obj, i) => kernel.openRef(target, obj, rights[i]!, undefined).id);
    // As a local copy: a sender the target's label may not flow to gets 0 for each handle.
    return { ok: true, handles: canFlow(target.label, label) ? handles : handles.map(() => 0) };
  } catch (e) {
    dropForeign(call, req.refs);
    throw e;
  }
};
