/**
 * The seeded scheduler at the heart of a simulation: virtual time, the
 * event queue, the choices that decide every delay, the nodes that are lost
 * (whose events never fire), and the trace of what fired.
 * @module
 */
import type { ChoiceSource } from './choices.js';
import { EventQueue } from './event-queue.js';
import type { SimEvent, SimEventKind, TraceEntry } from './sim-event.js';

/** A delay range in milliseconds; the scheduler picks within it, in steps of a microsecond. */
export interface DelayRange {
  /** Shortest delay (ms). */
  readonly min: number;
  /** Longest delay (ms). */
  readonly max: number;
}

/** Orders a simulation's events in virtual time. */
export class SimScheduler {
  /** Virtual time in milliseconds since the run began. */
  now = 0;
  /** Events fired so far. */
  steps = 0;
  /** Where decisions come from. */
  readonly choices: ChoiceSource;
  /** What fired, oldest first (the last `traceLimit` entries). */
  readonly trace: TraceEntry[] = [];
  readonly #queue = new EventQueue();
  readonly #holds = new Set<Promise<unknown>>();
  readonly #lost = new Set<string>();
  readonly #traceLimit: number;
  #seq = 0;

  /** A scheduler drawing its decisions from `choices`, keeping at most `traceLimit` trace lines. */
  constructor(choices: ChoiceSource, traceLimit = Infinity) {
    this.choices = choices;
    this.#traceLimit = traceLimit;
  }

  /** A delay within `range`, decided by the next choice (its minimum when the choice is 0). */
  delay(range: DelayRange): number {
    const span = Math.round((range.max - range.min) * 1000);
    return span <= 0 ? range.min : range.min + this.choices.next(span + 1) / 1000;
  }

  /** Schedules `fire` to run `delayMs` from now; returns the event (set `cancelled` to drop it). */
  at(delayMs: number, node: string | undefined, kind: SimEventKind, what: string, fire: () => void): SimEvent {
    const event: SimEvent = {
      time: this.now + Math.max(0, delayMs),
      seq: this.#seq++,
      node,
      kind,
      what,
      fire,
      cancelled: false,
      entry: undefined,
    };
    // A lost node's code may still run a little (promises already settled): what it schedules never fires.
    if (node !== undefined && kind !== 'fault' && this.#lost.has(node)) event.cancelled = true;
    this.#queue.push(event);
    return event;
  }

  /** Marks a node lost: none of its events fires from now on (its faults still do). */
  lose(node: string): void {
    this.#lost.add(node);
    for (const e of this.#queue.all()) if (e.node === node && e.kind !== 'fault') e.cancelled = true;
  }
  /** Brings a lost node back (a restart): its new events fire again; those from before the loss stay dropped. */
  revive(node: string): void {
    this.#lost.delete(node);
  }
  /** Whether `node` is lost. */
  isLost(node: string): boolean {
    return this.#lost.has(node);
  }

  /**
   * Host work outside the simulation that must finish before the next event
   * (a module program's import): while any is pending, no event fires, so
   * its real duration cannot change the order of events.
   */
  hold<T>(work: Promise<T>): Promise<T> {
    const held = work.finally(() => this.#holds.delete(held));
    this.#holds.add(held);
    return work;
  }

  /** Resolves once no host work is held (see {@link SimScheduler.hold}). */
  async released(): Promise<void> {
    while (this.#holds.size > 0) await Promise.allSettled([...this.#holds]);
  }

  /** Whether host work is held. */
  get holding(): boolean {
    return this.#holds.size > 0;
  }

  /** Events waiting. */
  get pending(): number {
    return this.#queue.size;
  }

  /** Time of the next event that will fire (skipping dropped ones), or undefined when none is left. */
  peekTime(): number | undefined {
    this.#skipDropped();
    return this.#queue.peek()?.time;
  }

  /** Fires the next event: advances time to it, records it in the trace. False when none is left. */
  step(): boolean {
    this.#skipDropped();
    const event = this.#queue.pop();
    if (event === undefined) return false;
    this.now = event.time;
    this.steps++;
    const entry: TraceEntry = {
      step: this.steps,
      at: event.time,
      node: event.node,
      kind: event.kind,
      what: event.what,
    };
    event.entry = entry;
    this.trace.push(entry);
    if (this.trace.length > this.#traceLimit) this.trace.splice(0, this.trace.length - this.#traceLimit);
    event.fire();
    return true;
  }

  #skipDropped(): void {
    for (let e = this.#queue.peek(); e !== undefined && e.cancelled; e = this.#queue.peek()) this.#queue.pop();
  }
}
