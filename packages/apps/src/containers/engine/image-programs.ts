/**
 * The binaries init runs for an image's programs: a WebAssembly file is its
 * own binary; a JavaScript module is put on disk by the host (once per
 * image) and registered as a kernel program, named by a small blob in the
 * engine's host group.
 * @module
 */
import { ObjectType, type Kernel } from '@dios/kernel';
import type { EngineHost } from '../api.js';
import type { ImageStore } from '../images/image-store.js';

/** Init's binaries for image files, made on first use. */
export class ImagePrograms {
  readonly #binaries = new Map<string, number>();

  /** `group`: init's handle on the engine's host group, where the program blobs go. */
  constructor(
    private readonly kernel: Kernel,
    private readonly images: ImageStore,
    private readonly host: EngineHost,
    private readonly group: number,
  ) {}

  /** Init's handle on the binary of file `path` of image `digest`. */
  async binary(digest: string, path: string): Promise<number> {
    if (path.endsWith('.wasm')) return this.images.fileHandle(digest, path);
    const key = `${digest}${path}`;
    const known = this.#binaries.get(key);
    if (known !== undefined) return known;
    const url = await this.host.materialize(digest, await this.images.files(digest), path);
    const id = `image-${digest.slice(7, 23)}-${hashOf(path)}`;
    const bytes = this.kernel.registerProgram(id, { module: url, export: 'default' });
    const init = this.kernel.init;
    const { ref } = await init.create(ObjectType.SHARED_MEMORY_BLOB, { group: this.group });
    const buf = await init.beginWrite(ref, bytes.length);
    buf.set(bytes);
    await init.endWrite(ref, buf);
    this.#binaries.set(key, ref);
    return ref;
  }
}

// A short, stable id for a path (program ids hold no spaces).
function hashOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
