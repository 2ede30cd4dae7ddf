/**
 * load: how loaded this kernel is, for a peer's scheduling.
 * @module
 */
import { nodeLoad } from '../../kernel/scheduler.js';
import type { PeerHandler } from './peer-call.js';

/** Replies with this kernel's load; a program key that is not a short string is not answered about. */
export const serveLoad: PeerHandler<'load'> = async (call, req) => {
  const program: unknown = req.program;
  const asked = typeof program === 'string' && program.length > 0 && program.length <= 512 ? program : undefined;
  return { ok: true, load: nodeLoad(call.kernel, asked) };
};
