/**
 * poll_oneoff over `select`: clock subscriptions become select's timeout,
 * fd_read and fd_write subscriptions on streams and the console become
 * selects on their references; regular files and directories are always
 * ready (as POSIX's poll says of regular files). With clocks only, the
 * thread sleeps (Atomics.wait: a worker thread may block).
 * @module
 */
import { isDiosError, SelectFlags } from '@dios/kernel';
import type { WasiContext } from './context.js';
import { WasiErrno, errnoOf } from './errno.js';
import { clockNow } from './process-calls.js';

const SUBSCRIPTION_BYTES = 48;
const EVENT_BYTES = 32;
/** Event types (`__wasi_eventtype_t`). */
const EventType = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;
/** With this subscription clock flag the timeout is an absolute time of the clock. */
const ABSTIME = 1;
/** Longest single wait while write readiness is polled (select waits for one direction at a time). */
const WRITE_POLL_MS = 10;

interface Event {
  userdata: bigint;
  type: number;
  error: number;
  nbytes: number;
}

interface FdSubscription {
  userdata: bigint;
  type: number;
  fd: number;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The poll_oneoff call of one task. */
export function pollCalls(ctx: WasiContext) {
  const mem = ctx.memory;
  const { calls } = ctx;

  // An fd subscription's event when it is ready now, else undefined.
  const readyNow = (s: FdSubscription): Event | undefined => {
    const event = { userdata: s.userdata, type: s.type, error: 0, nbytes: 0 };
    try {
      const entry = ctx.fds.get(s.fd);
      if (entry.kind === 'file') {
        if (s.type === EventType.FD_READ) event.nbytes = Math.max(0, entry.file.size() - entry.position);
        return event;
      }
      if (entry.kind === 'dir') return event;
      const flags = s.type === EventType.FD_WRITE ? SelectFlags.WRITE : 0;
      try {
        calls.select([entry.handle], { timeoutMs: 0 }, flags);
      } catch (e) {
        if (isDiosError(e, 'ETIMEDOUT')) return undefined;
        throw e;
      }
      if (s.type === EventType.FD_READ) event.nbytes = 1;
      return event;
    } catch (e) {
      return { ...event, error: errnoOf(e) };
    }
  };

  return {
    poll_oneoff(inPtr: number, outPtr: number, count: number, neventsPtr: number): number {
      if (count === 0) return WasiErrno.INVAL;
      // poll may wait: what the program wrote before goes out first.
      ctx.output.flush();
      mem.check(inPtr, count * SUBSCRIPTION_BYTES);
      mem.check(outPtr, count * EVENT_BYTES);
      mem.check(neventsPtr, 4);
      const fdSubs: FdSubscription[] = [];
      const clocks: { userdata: bigint; deadline: number; error: number }[] = [];
      for (let i = 0; i < count; i++) {
        const at = inPtr + i * SUBSCRIPTION_BYTES;
        const userdata = mem.getU64(at);
        const type = mem.getU8(at + 8);
        if (type === EventType.CLOCK) {
          const id = mem.getU32(at + 16);
          const timeout = mem.getU64(at + 24);
          const flags = mem.getU16(at + 40);
          const now = clockNow(id);
          if (now === undefined) {
            clocks.push({ userdata, deadline: 0, error: WasiErrno.INVAL });
            continue;
          }
          const ns = flags & ABSTIME ? timeout - now : timeout;
          clocks.push({ userdata, deadline: performance.now() + Math.max(0, Number(ns) / 1e6), error: 0 });
        } else if (type === EventType.FD_READ || type === EventType.FD_WRITE) {
          fdSubs.push({ userdata, type, fd: mem.getU32(at + 16) });
        } else {
          return WasiErrno.INVAL;
        }
      }
      const firstDeadline = Math.min(...clocks.map((c) => c.deadline));
      let events: Event[];
      for (;;) {
        events = fdSubs.map(readyNow).filter((e): e is Event => e !== undefined);
        const now = performance.now();
        for (const c of clocks)
          if (c.deadline <= now)
            events.push({ userdata: c.userdata, type: EventType.CLOCK, error: c.error, nbytes: 0 });
        if (events.length > 0) break;
        const left = firstDeadline - now;
        const readRefs = fdSubs
          .filter((s) => s.type === EventType.FD_READ)
          .map((s) => ctx.fds.get(s.fd))
          .flatMap((e) => (e.kind === 'stream' ? [e.handle] : []));
        const writers = fdSubs.some((s) => s.type === EventType.FD_WRITE);
        let wait = Number.isFinite(left) ? Math.ceil(left) : undefined;
        if (writers) wait = Math.min(wait ?? WRITE_POLL_MS, WRITE_POLL_MS);
        if (readRefs.length === 0) {
          sleep(wait ?? WRITE_POLL_MS);
          continue;
        }
        try {
          calls.select(readRefs, wait === undefined ? {} : { timeoutMs: wait });
        } catch (e) {
          if (!isDiosError(e, 'ETIMEDOUT')) throw e;
        }
      }
      events.forEach((e, i) => {
        const at = outPtr + i * EVENT_BYTES;
        mem.bytes(at, EVENT_BYTES).fill(0);
        mem.setU64(at, e.userdata);
        mem.setU16(at + 8, e.error);
        mem.setU8(at + 10, e.type);
        mem.setU64(at + 16, e.nbytes);
      });
      mem.setU32(neventsPtr, events.length);
      return WasiErrno.SUCCESS;
    },
  };
}
