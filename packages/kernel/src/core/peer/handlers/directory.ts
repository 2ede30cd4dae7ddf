/**
 * directory-sync, directory-add, directory-remove: the name directory's
 * requests. The peer link serves them before the service sees them (they
 * need no proxy task: they carry names, never references).
 * @module
 */
import { errors } from '../../abi/errors.js';
import type { PeerHandler } from './peer-call.js';

/** Fails: the directory's requests are the peer link's. */
export const serveDirectory: PeerHandler<'directory-sync' | 'directory-add' | 'directory-remove'> = async () => {
  throw errors.EINVAL('peer', 'kind', 'name directory requests are handled by the peer link');
};
