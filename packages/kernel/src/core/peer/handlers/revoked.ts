/**
 * revoked: a notice, not a request to serve; the peer link takes it before
 * the service sees it.
 * @module
 */
import { errors } from '../../abi/errors.js';
import type { PeerHandler } from './peer-call.js';

/** Fails: revocations are the peer link's. */
export const serveRevoked: PeerHandler<'revoked'> = async () => {
  throw errors.EINVAL('peer', 'kind', 'revocations are handled by the peer link');
};
