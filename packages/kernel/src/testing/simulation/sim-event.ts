/**
 * One thing that happens in a simulation at a virtual time: a task's system
 * call proceeding, a message arriving, a timer firing, a store commit
 * finishing, a fault. What a run's trace is made of.
 * @module
 */

/** The kinds of event a simulation orders. */
export type SimEventKind = 'call' | 'deliver' | 'reply' | 'timer' | 'commit' | 'fault' | 'notice';

/** A line of a run's trace: an event as it happened. */
export interface TraceEntry {
  /** Its step: the events a run fired before it. */
  readonly step: number;
  /** Virtual time in milliseconds since the run began. */
  readonly at: number;
  /** The node it happened on (undefined: the network or the harness). */
  readonly node: string | undefined;
  /** Its kind. */
  readonly kind: SimEventKind;
  /** What happened: a call with its arguments, a message's kind and ends, a fault. */
  readonly what: string;
  /** How it ended, for calls and requests that have ended: a result or an error code. */
  outcome?: string;
}

/** An event waiting in the queue. */
export interface SimEvent {
  /** When it fires (virtual milliseconds). */
  readonly time: number;
  /** Order of scheduling: breaks ties between events of the same time. */
  readonly seq: number;
  /** The node it belongs to: a lost node's events never fire. */
  readonly node: string | undefined;
  /** Its kind. */
  readonly kind: SimEventKind;
  /** What it is (for the trace). */
  readonly what: string;
  /** What firing it does. */
  readonly fire: () => void;
  /** Set by the canceller: the event is skipped. */
  cancelled: boolean;
  /** Its trace line once fired (a call adds its outcome to it). */
  entry: TraceEntry | undefined;
}
