/**
 * The engine's own state as blobs in a host group (see `Kernel.hostGroup`):
 * each a whole file, named by a seed, made durable when the kernel has a
 * store (a shared-memory blob otherwise), single-delete so that dropping a
 * handle never destroys it. All through init's system calls.
 * @module
 */
import { CreateFlags, DeleteFlags, isDiosError, Name, ObjectType, type SystemCalls } from '@dios/kernel';

/** Blobs named by seed in one group, read and written whole. */
export class BlobFiles {
  readonly #handles = new Map<string, number>();

  /** `sys` holds `group` (a handle with every right) on a group named `groupName`. */
  constructor(
    private readonly sys: SystemCalls,
    private readonly group: number,
    private readonly groupName: Name,
  ) {}

  /** The bytes of the blob of `seed`, or undefined when there is none. */
  async read(seed: string): Promise<Uint8Array | undefined> {
    const ref = await this.#find(seed);
    if (ref === undefined) return undefined;
    const buf = await this.sys.beginRead(ref, { offset: 0, length: this.sys.ref(ref).size });
    const bytes = buf.slice();
    await this.sys.endRead(ref, buf);
    return bytes;
  }

  /** Replaces the blob of `seed` with `bytes` (making it first). */
  async write(seed: string, bytes: Uint8Array): Promise<void> {
    const ref = (await this.#find(seed)) ?? (await this.#create(seed));
    const buf = await this.sys.beginWrite(ref, bytes.length, { offset: 0, truncate: true });
    buf.set(bytes);
    await this.sys.endWrite(ref, buf);
  }

  /** Appends `bytes` to the blob of `seed` (making it first). */
  async append(seed: string, bytes: Uint8Array): Promise<void> {
    const ref = (await this.#find(seed)) ?? (await this.#create(seed));
    const buf = await this.sys.beginWrite(ref, bytes.length, { offset: this.sys.ref(ref).size });
    buf.set(bytes);
    await this.sys.endWrite(ref, buf);
  }

  /** Destroys the blob of `seed`, if there is one. */
  async remove(seed: string): Promise<void> {
    const ref = await this.#find(seed);
    if (ref === undefined) return;
    this.#handles.delete(seed);
    await this.sys.delete(ref);
  }

  async #find(seed: string): Promise<number | undefined> {
    const held = this.#handles.get(seed);
    if (held !== undefined) return held;
    try {
      const [found, ...extra] = await this.sys.lookup((await Name.seeded(this.groupName, seed)).key);
      for (const h of extra) await this.sys.delete(h, DeleteFlags.DROP);
      this.#handles.set(seed, found!);
      return found;
    } catch (e) {
      if (isDiosError(e, 'ENOENT')) return undefined;
      throw e;
    }
  }

  async #create(seed: string): Promise<number> {
    const options = { group: this.group, nameSeed: seed, lifecycle: 'single-delete' as const };
    let ref: number;
    try {
      ref = (await this.sys.create(ObjectType.DURABLE_BLOB, options, CreateFlags.NAME_DETERMINISTIC)).ref;
    } catch (e) {
      if (!isDiosError(e, 'ENOTSUP')) throw e;
      ref = (await this.sys.create(ObjectType.SHARED_MEMORY_BLOB, options, CreateFlags.NAME_DETERMINISTIC)).ref;
    }
    this.#handles.set(seed, ref);
    return ref;
  }
}
