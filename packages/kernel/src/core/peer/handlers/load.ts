/**
 * load: how loaded this kernel is, for a peer's scheduling.
 * @module
 */
import { nodeLoad } from '../../kernel/scheduler.js';
import type { PeerHandler } from './peer-call.js';

/** Replies with this kernel's load. */
export const serveLoad: PeerHandler<'load'> = async (call) => ({ ok: true, load: nodeLoad(call.kernel) });
