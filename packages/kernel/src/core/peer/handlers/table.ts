/**
 * The handler of each kind of peer request: where to look for what a peer's
 * request does on this kernel.
 * @module
 */
import { serveDelegate } from './delegate.js';
import { serveDirectory } from './directory.js';
import { serveLoad } from './load.js';
import { serveLookup } from './lookup.js';
import type { PeerHandlers } from './peer-call.js';
import { servePause } from './pause.js';
import { serveBeginRead, serveEndRead } from './read.js';
import { serveRelease } from './release.js';
import { serveRevoked } from './revoked.js';
import { serveRun } from './run.js';
import { serveShare } from './share.js';
import { serveWatch } from './watch.js';
import { serveBeginWrite, serveEndWrite, serveWritePart } from './write.js';

/** One handler per request kind (a kind without one does not compile). */
export const PEER_HANDLERS: PeerHandlers = {
  load: serveLoad,
  lookup: serveLookup,
  release: serveRelease,
  'begin-read': serveBeginRead,
  'end-read': serveEndRead,
  'begin-write': serveBeginWrite,
  'write-part': serveWritePart,
  'end-write': serveEndWrite,
  watch: serveWatch,
  share: serveShare,
  delegate: serveDelegate,
  run: serveRun,
  pause: servePause,
  revoked: serveRevoked,
  'directory-sync': serveDirectory,
  'directory-add': serveDirectory,
  'directory-remove': serveDirectory,
};
