/**
 * The Transport interface: how kernels exchange requests. Transport-neutral:
 * a message is a plain value made of JSON-compatible data and Uint8Arrays,
 * so any transport (in-process loopback, NATS, TCP) can carry it.
 * @module
 */
import type { ErrnoCode } from './errors.js';
import type { Lifecycle, ObjectType } from './flags.js';
import type { TaskState } from './reference.js';

/** What a peer needs to know about an object it gets a reference to. */
export interface ObjectDescriptor {
  /** Name key (canonical text form). */
  name: string;
  /** Object type. */
  type: ObjectType;
  /** Lifecycle at the object's home. */
  lifecycle: Lifecycle;
  /** Size in bytes at the time of the reply. */
  size: number;
  /** Version at the time of the reply. */
  version: number;
  /** Whether the object survives a restart of its home kernel. */
  persistent: boolean;
  /** Task objects: state and exit status. */
  task?: { state: TaskState; exitStatus: number | undefined };
}

/** A reference held for a peer: the home kernel and the handle in that kernel's table for the peer. */
export interface RemoteHandle {
  /** Id of the kernel where the object lives. */
  home: string;
  /** Handle in the home kernel's table for the receiving peer. */
  handle: number;
  /** The object. */
  object: ObjectDescriptor;
}

/** Every request one kernel sends another. */
export type PeerRequest =
  | { kind: 'lookup'; name: string; groups: string[] }
  | { kind: 'release'; handle: number; destroy: boolean }
  | { kind: 'begin-read'; handle: number; offset: number; length: number; nonblock: boolean }
  | { kind: 'end-read'; handle: number; lease: number; release: boolean }
  | { kind: 'begin-write'; handle: number; offset: number; length: number; truncate: boolean; nonblock: boolean }
  | { kind: 'end-write'; handle: number; lease: number; bytes: Uint8Array; discard: boolean; endOfStream: boolean }
  | { kind: 'watch'; handle: number; mode: 'read' | 'write'; timeoutMs: number }
  | { kind: 'share'; handle: number; peer: string; rights: number }
  | { kind: 'delegate'; target: number; refs: { ref: RemoteHandle; rights: number }[] }
  | {
      kind: 'run';
      binary: Uint8Array;
      argv: string[];
      env: Record<string, string>;
      inputs: { ref: RemoteHandle; rights: number }[];
      outputs: { ref: RemoteHandle; rights: number }[];
      groups: string[];
      name: string | undefined;
      flags: number;
    }
  | { kind: 'pause'; handle: number; flags: number }
  | { kind: 'revoked'; handle: number };

/** A failure carried back to the requester, rebuilt there as a DiosError. */
export interface PeerError {
  /** Error code. */
  code: ErrnoCode;
  /** Failed call. */
  syscall: string;
  /** Bad argument, if any. */
  argument: string | undefined;
  /** What was wrong (the message without code and call). */
  detail: string;
}

/** The answer to a {@link PeerRequest}: `ok` with a kind-specific body, or an error. */
export type PeerReply =
  | { ok: true; objects?: RemoteHandle[]; handles?: number[]; lease?: number; bytes?: Uint8Array; version?: number; valid?: boolean; object?: ObjectDescriptor; handle?: number }
  | { ok: false; error: PeerError };

/** Serves requests that reach this node. */
export type RequestHandler = (from: string, request: PeerRequest) => Promise<PeerReply>;

/** Carries requests between kernels. Implementations: loopback (in-process); NATS in a later package. */
export interface Transport {
  /** This node's id (the kernel id). */
  readonly localId: string;
  /** Starts delivering requests addressed to this node. Called once. */
  listen(handler: RequestHandler): void;
  /**
   * Sends a request and resolves with the reply. Rejects with a DiosError:
   * EHOSTUNREACH for an unknown peer, EHOSTDOWN for a peer that is gone or
   * does not answer in time.
   */
  request(to: string, request: PeerRequest): Promise<PeerReply>;
  /** Ids of the peers currently reachable (not including this node). */
  peers(): string[];
  /** Leaves the network; later requests to or from this node fail with EHOSTDOWN. */
  close(): Promise<void>;
}
