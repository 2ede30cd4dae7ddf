/**
 * One client of the server: a TCP connection (one reference for both ways)
 * or a pair of streams from a native client (requests in, replies out),
 * with its request parser and its state.
 * @module
 */
import type { BlockRequest } from './commands/blocking.js';
import type { ClientState, QueuedCommand } from './commands/context.js';
import type { RespWriter } from './core/resp-writer.js';
import type { Backlog } from './output-limit.js';
import { RespParser, type RespParserLimits } from './resp-parser.js';

/** How a client reached the server. */
export type ConnectionKind = 'tcp' | 'stream';

/** A client connection (see the module comment). */
export class Connection implements ClientState, Backlog {
  /** Id, unique in this server. */
  readonly id: number;
  /** How it is connected. */
  readonly kind: ConnectionKind;
  /** Handle the requests are read from. */
  readonly input: number;
  /** Handle the replies are written to (the same as input for TCP). */
  readonly output: number;
  /** Its request parser. */
  readonly parser: RespParser;
  /** CLIENT SETNAME's name. */
  name = '';
  /** The protocol its replies use (HELLO sets it). */
  protocol: 2 | 3 = 2;
  /** Bits of client-flags.ts (MULTI, subscribed, blocked ...). */
  flags = 0;
  /** MULTI's queue. */
  queue?: QueuedCommand[];
  /** WATCHed keys. */
  watched?: Map<string, boolean>;
  /** Subscribed channels. */
  channels?: Set<string>;
  /** Subscribed patterns. */
  patterns?: Set<string>;
  /** What it is blocked by. */
  blockedBy?: BlockRequest | undefined;
  /** Messages and replies for it made while another client was served, sent after that client's round. */
  pushes: RespWriter | undefined;
  /** A replica has been sent its SELECT (see the server's replication stream). */
  replicaSelected = false;
  /** Close once the pending replies are written (QUIT, a protocol error). */
  closeAfterReply = false;
  /** Replies are being written in the background (the client reads slowly); no requests are read meanwhile. */
  flushing = false;
  /** A write failed: close it. */
  broken = false;
  /** Our side has ended; waiting for the peer to close (until `closeDeadline`, ms since the epoch). */
  closing = false;
  /** See `closing`. */
  closeDeadline = 0;
  /** Where this round's replies to it start in the server's output buffer. */
  outStart = 0;
  /** Where they end. */
  outEnd = 0;
  /** Reply bytes not yet handed to the kernel (see output-limit.ts). */
  pending = 0;
  /** Since when `pending` has been over the soft output limit (0: it is not). */
  softSince = 0;

  /** A connection read from `input` and written to `output`, its requests parsed within `limits`. */
  constructor(id: number, kind: ConnectionKind, input: number, output: number, limits: RespParserLimits = {}) {
    this.id = id;
    this.kind = kind;
    this.input = input;
    this.output = output;
    this.parser = new RespParser(limits);
  }
}
