/**
 * A raw RESP connection for the server tests that check replies byte for
 * byte: send requests, then take the next reply bytes expected.
 */
import { rawClient, resp } from './kv-helpers.js';

/** One connection: `send` requests, `next` checks what arrives after what was already taken. */
export interface Session {
  /** Sends one request. */
  send(...args: string[]): void;
  /** The next `expected.length` bytes received (waits for them; fails after 5 s). */
  next(expected: string): Promise<string>;
  /** Bytes received and not yet taken by `next`. */
  rest(): string;
  /** Closes the connection. */
  close(): void;
}

/** Connects to the server on `port`. */
export async function session(port: number): Promise<Session> {
  const c = await rawClient(port);
  let taken = 0;
  return {
    send: (...args) => c.socket.write(resp(...args)),
    async next(expected) {
      const want = taken + expected.length;
      const timer = new Promise<string>((_r, reject) =>
        setTimeout(
          () =>
            reject(new Error(`waited for ${JSON.stringify(expected)}; got ${JSON.stringify(c.text().slice(taken))}`)),
          5000,
        ),
      );
      const text = await Promise.race([c.until((t) => t.length >= want), timer]);
      const got = text.slice(taken, want);
      taken = want;
      return got;
    },
    rest: () => c.text().slice(taken),
    close: () => c.socket.destroy(),
  };
}
