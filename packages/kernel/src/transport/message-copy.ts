/**
 * Copying a message between kernels of one process, so that they share no
 * memory, exactly as over a real network (the loopback transport and the
 * simulated network of `@dios/kernel/testing` both use it).
 * @module
 */
/**
 * Copies a message. Like structuredClone, except that every Uint8Array gets a
 * fresh buffer of exactly its length: structuredClone would share a
 * SharedArrayBuffer, and would carry the whole buffer behind a view.
 */
export function copyMessage<T>(value: T): T {
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.map(copyMessage) as T;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) copy[key] = copyMessage(v);
    return copy as T;
  }
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}
