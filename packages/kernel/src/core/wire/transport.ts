/**
 * The Transport interface: how kernels exchange requests. Transport-neutral:
 * a message is a plain value made of JSON-compatible data and Uint8Arrays,
 * so any transport (in-process loopback, NATS, TCP) can carry it.
 * @module
 */
import type { ErrnoCode } from '../abi/errors.js';
import type { Lifecycle, ObjectType } from '../abi/flags.js';
import type { Placement, ProcessKind } from '../abi/program.js';
import type { TaskState } from '../abi/system-calls.js';
import type { LabelView } from '../abi/labels.js';

/** A container as a run request carries it to the kernel that starts the task. */
export interface ContainerWire {
  /** The container's id on its home kernel (the sender). */
  id: string;
  /** Name key of its secrecy tag. */
  tag: string;
  /** Name key of its group at home: the replica's group has the same name, even where the kernels' root groups differ. */
  group?: string;
  /** Its limits (as ContainerLimits). */
  limits: {
    /** Heap limit of each task, MiB. */
    memoryMb?: number;
    /** Most live tasks. */
    maxTasks?: number;
    /** CPU weight. */
    cpuShares?: number;
  };
}

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
  /** The object's label (tasks: as it is now), when it has tags (docs/ifc.md). */
  label?: LabelView;
  /** Task objects: state and exit status. */
  task?: {
    /** The task's state. */
    state: TaskState;
    /** Exit status once exited. */
    exitStatus: number | undefined;
    /** The kind of process, when not `pure`. */
    process?: ProcessKind;
  };
}

/** A reference held for a peer: the home kernel and the handle in that kernel's table for the peer. */
export interface RemoteHandle {
  /** Id of the kernel where the object lives. */
  home: string;
  /** Handle in the home kernel's table for the receiving peer. */
  handle: number;
  /** Rights of that handle, when the receiver cannot know them otherwise (lookup replies). */
  rights?: number;
  /** What the receiver needs to stand for the object: name, type, size, version... */
  object: ObjectDescriptor;
}

/** A name a kernel holds, as the name directory carries it. */
export interface DirectoryEntry {
  /** Name key (64 hex digits). */
  name: string;
  /** The holder's sequence number for the change that made (or dropped) it: an older message never undoes a newer one. */
  seq: number;
}

/** Every request one kernel sends another. */
export type PeerRequest =
  | {
      /** How loaded the kernel is (for scheduling); the reply carries `load`. */
      kind: 'load';
      /** A program key (core/scheduling/program-key.ts) whose class the reply should say. */
      program?: string;
    }
  | {
      /** Resolve a name in the listed groups; the reply carries `objects`. */
      kind: 'lookup';
      /** Name key of the object. */
      name: string;
      /** The groups the asking task can resolve in (name keys), with the rights each confers. */
      groups: {
        /** Name key of the group. */
        key: string;
        /** Rights the group confers ({@link Rights} bits). */
        rights: number;
      }[];
      /** Also answer as the name's directory shard: the reply carries `homes` and `complete`. */
      directory?: boolean;
    }
  | {
      /** Name directory: the sender's names on this kernel's arcs come, this kernel's names on the sender's arcs go back in `entries`. */
      kind: 'directory-sync';
      /** The sender's arcs of the hashing circle, as flat [start, end, start, end...] positions (start exclusive). */
      arcs: number[];
      /** The sender's names whose shard is this kernel. */
      names: DirectoryEntry[];
      /** The arcs the sender took to be this kernel's when it picked `names`, flat as `arcs`. */
      yours?: number[];
    }
  | {
      /** Name directory: the sender now holds these names. */
      kind: 'directory-add';
      /** The names, each with the sender's sequence number. */
      names: DirectoryEntry[];
    }
  | {
      /** Name directory: the sender no longer holds these names. */
      kind: 'directory-remove';
      /** The names, each with the sender's sequence number. */
      names: DirectoryEntry[];
    }
  | {
      /** Drop a handle the sender holds here. */
      kind: 'release';
      /** The handle, in this kernel's table for the sender. */
      handle: number;
      /** True: drop it with delete (a single-delete object goes); false: just close it. */
      destroy: boolean;
      /** Drop the handle from the table kept for this peer instead (one the sender had shared with it, then could not deliver). */
      for?: string;
    }
  | {
      /** begin_read on a handle; the reply carries `lease`, `bytes` and `object`. */
      kind: 'begin-read';
      /** The requesting task's label, when it has tags: the home checks the flow against it (docs/ifc.md). */
      label?: LabelView;
      /** The handle, in this kernel's table for the sender. */
      handle: number;
      /** Byte offset (blobs). */
      offset: number;
      /** Most bytes to lend. */
      length: number;
      /** Fail with EAGAIN instead of waiting. */
      nonblock: boolean;
      /** Lease id the sender picked (unique among its leases here), so it can give the lease back even if the reply is lost. */
      rid?: number;
    }
  | {
      /** end_read of a lease; the reply carries `valid`. */
      kind: 'end-read';
      /** The handle the lease was taken through. */
      handle: number;
      /** Lease id from the begin-read reply. */
      lease: number;
      /** Give the buffer back without effect. */
      release: boolean;
    }
  | {
      /** begin_write on a handle; the reply carries `lease`. */
      kind: 'begin-write';
      /** The requesting task's label, when it has tags: the home checks the flow against it (docs/ifc.md). */
      label?: LabelView;
      /** The handle, in this kernel's table for the sender. */
      handle: number;
      /** Byte offset (blobs). */
      offset: number;
      /** Bytes to lend. */
      length: number;
      /** Blobs: the commit sets the size to offset + committed length. */
      truncate: boolean;
      /** Blobs: append at the end as it is at commit. */
      append?: boolean;
      /** Fail with EAGAIN instead of waiting. */
      nonblock: boolean;
      /** Lease id the sender picked (unique among its leases here), so it can give the lease back even if the reply is lost. */
      rid?: number;
    }
  | {
      /** end_write of a lease; the reply carries `version`. */
      kind: 'end-write';
      /** The handle the lease was taken through. */
      handle: number;
      /** Lease id from the begin-write reply. */
      lease: number;
      /** The bytes to commit: they go at `at` in the lent buffer, and the committed length is `at` + their length. */
      bytes: Uint8Array;
      /** Where `bytes` go in the lent buffer (default 0); the bytes before came in write-part requests. */
      at?: number;
      /** Give the buffer back without committing. */
      discard: boolean;
      /** Streams: mark end-of-stream after this commit. */
      endOfStream: boolean;
    }
  | {
      /** Part of a write too large for one message: its bytes go into the buffer lent by begin-write, ahead of the end-write that commits. */
      kind: 'write-part';
      /** The handle the lease was taken through. */
      handle: number;
      /** Lease id from the begin-write reply. */
      lease: number;
      /** Where the bytes go in the lent buffer. */
      at: number;
      /** The bytes of this part, copied into the lent buffer from `at`. */
      bytes: Uint8Array;
    }
  | {
      /** Answer once the handle is ready (a select on it), or fail with ETIMEDOUT. */
      kind: 'watch';
      /** The requesting task's label, when it has tags: the home checks the flow against it (docs/ifc.md). */
      label?: LabelView;
      /** The handle, in this kernel's table for the sender. */
      handle: number;
      /** Readiness for reading or for writing. */
      mode: 'read' | 'write';
      /** Longest wait in milliseconds. */
      timeoutMs: number;
    }
  | {
      /** Open a handle for a third kernel on an object the sender holds here; the reply carries `handle`. */
      kind: 'share';
      /** The sender's handle. */
      handle: number;
      /** Id of the kernel to open the new handle for. */
      peer: string;
      /** Rights of the new handle (at most the sender's). */
      rights: number;
    }
  | {
      /** copy references into a task of this kernel; the reply carries `handles`. */
      kind: 'delegate';
      /** The requesting task's label, when it has tags: the home checks the flow against it (docs/ifc.md). */
      label?: LabelView;
      /** The sender's handle of the target task. */
      target: number;
      /** The references to hand over, each with the rights it gets. */
      refs: {
        /** Where the reference's object lives and the handle held there. */
        ref: RemoteHandle;
        /** Rights of the new reference. */
        rights: number;
      }[];
    }
  | {
      /** run a task on this kernel; the reply carries `handle` and `object`. */
      kind: 'run';
      /** The requesting task's label, when it has tags: the home checks the flow against it (docs/ifc.md). */
      label?: LabelView;
      /** The binary's bytes. */
      binary: Uint8Array;
      /** Arguments. */
      argv: string[];
      /** Environment. */
      env: Record<string, string>;
      /** Input references, each with the rights the child gets. */
      inputs: {
        /** Where the object lives and the handle held there. */
        ref: RemoteHandle;
        /** Rights of the child's reference. */
        rights: number;
      }[];
      /** Output references, each with the rights the child gets. */
      outputs: {
        /** Where the object lives and the handle held there. */
        ref: RemoteHandle;
        /** Rights of the child's reference. */
        rights: number;
      }[];
      /** The child's groups (name keys) and the rights each membership has. */
      groups: {
        /** Name key of the group. */
        key: string;
        /** Rights the group confers ({@link Rights} bits). */
        rights: number;
      }[];
      /** The task's name (canonical text form) when the caller derived it deterministically; otherwise random. */
      name: string | undefined;
      /** {@link RunFlags} of the call. */
      flags: number;
      /** The placement the caller asked for (`spec.placement`); absent: the serving kernel chooses. */
      placement?: Placement;
      /** The container the task joins (docs/containers.md): its id on the sending kernel, its tag's name key and its limits. */
      container?: ContainerWire;
    }
  | {
      /** pause or resume a task of this kernel. */
      kind: 'pause';
      /** The requesting task's label, when it has tags: the home checks the flow against it (docs/ifc.md). */
      label?: LabelView;
      /** The sender's handle of the task. */
      handle: number;
      /** {@link PauseFlags} of the call. */
      flags: number;
    }
  | {
      /** Notice from an object's home: a handle the receiver held there was revoked. */
      kind: 'revoked';
      /** The revoked handle. */
      handle: number;
    };

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
  | {
      /** The request succeeded. */
      ok: true;
      /** lookup: the objects found, as handles held for the requester. */
      objects?: RemoteHandle[];
      /** delegate: the new references' handles in the target task's table. */
      handles?: number[];
      /** begin-read, begin-write: the lease id to end it with. */
      lease?: number;
      /** begin-read: the lent bytes (at the home, the lent buffer itself: the transport copies them as it sends). */
      bytes?: Uint8Array;
      /** end-write: the object's version after the commit. */
      version?: number;
      /** end-read: whether the read is still valid. */
      valid?: boolean;
      /** A fresh description of the object the request was about. */
      object?: ObjectDescriptor;
      /** share, run: the new handle held for the requester. */
      handle?: number;
      /** load: the kernel's load. */
      load?: NodeLoad;
      /** lookup with `directory`: the kernels the directory shard records as holding the name. */
      homes?: string[];
      /** lookup with `directory`: whether `homes` is complete (else the asker asks every peer). */
      complete?: boolean;
      /** directory-sync: the replier's names on the sender's arcs. */
      entries?: DirectoryEntry[];
    }
  | {
      /** The request failed. */
      ok: false;
      /** Why. */
      error: PeerError;
    };

/** Serves requests that reach this node. */
export type RequestHandler = (from: string, request: PeerRequest) => Promise<PeerReply>;

/** Carries requests between kernels. Implementations: loopback (in-process); NATS (`@dios/kernel/nats`). */
export interface Transport {
  /** This node's id (the kernel id). */
  readonly localId: string;
  /**
   * Starts delivering requests addressed to this node. Called once. The
   * handler's replies may hold live memory of this kernel (a begin-read's
   * lent bytes): the transport copies what it sends, and never hands the
   * reply's own arrays to another node.
   */
  listen(handler: RequestHandler): void;
  /**
   * Sends a request and resolves with the reply. The reply's byte arrays
   * may be views of the transport's receive buffers, which can hold other
   * bytes of the message: whoever hands them on copies them first. Rejects
   * with a DiosError:
   * EHOSTUNREACH for an unknown peer, EHOSTDOWN for a peer that is gone or
   * does not answer in time.
   */
  request(to: string, request: PeerRequest): Promise<PeerReply>;
  /** Ids of the peers currently reachable (not including this node). */
  peers(): string[];
  /**
   * Calls `listener` with a peer's id each time a peer that was reachable is
   * found gone (it left, crashed, or was cut off; the deadline is the
   * transport's). Returns a function that stops the calls.
   */
  onPeerGone(listener: (peer: string) => void): () => void;
  /**
   * Calls `listener` with a peer's id each time a peer becomes reachable
   * (new, or back after it was found gone). Returns a function that stops
   * the calls.
   */
  onPeerSeen(listener: (peer: string) => void): () => void;
  /** Leaves the network; later requests to or from this node fail with EHOSTDOWN. */
  close(): Promise<void>;
}

/** How loaded one kernel is, from its task monitoring. */
export interface NodeLoad {
  /** The kernel's id. */
  readonly kernel: string;
  /** Tasks with a program that are running or paused (not exited). */
  readonly runningTasks: number;
  /** CPU time of its worker tasks so far, in ms (undefined where not measured). */
  readonly workerCpuMs: number | undefined;
  /** False for a kernel that takes no scheduled tasks (a client); such a kernel is never a candidate. Absent means true. */
  readonly schedulable?: boolean;
  /** Its worker slots, when it reports them. */
  readonly slots?: number;
  /** Its running tasks by the class their programs were seen to have (cpu, memory, unknown). */
  readonly classes?: Readonly<Record<string, number>>;
  /** The class it has seen the asked-about program have ('unknown' if never run there). */
  readonly programClass?: string;
}
