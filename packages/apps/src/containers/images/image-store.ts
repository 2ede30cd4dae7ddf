/**
 * The image store: images kept as blobs in a host group of the kernel
 * (`kernel.hostGroup('images')`), through init's system calls. Durable blobs
 * when the kernel has a store, so images and tags survive a restart;
 * shared-memory blobs otherwise. Each distinct file content is one blob,
 * named from its digest, however many images hold it; each image's manifest
 * is a blob named from the image digest; one index blob lists the images
 * (with when they were built) and the tags.
 * @module
 */
import {
  CreateFlags,
  MAX_BLOB_BYTES,
  Name,
  ObjectType,
  errors,
  isDiosError,
  normalizePath,
  type Kernel,
  type SystemCalls,
} from '@dios/kernel';
import type { Image, ImageSummary, TreeFile } from '../api.js';
import { openByName, readBlob, writeBlob } from './blob-io.js';
import { decodeIndex, encodeIndex, type ImageIndex } from './image-index.js';
import { buildManifest, readManifest, type BuiltManifest } from './manifest.js';
import { digestPrefix, isDigest, normalizeTag, parseTag } from './tags.js';

const GROUP_SEED = 'images';
const INDEX_SEED = 'index';
const fileSeed = (digest: string): string => `file:${digest}`;
const manifestSeed = (digest: string): string => `manifest:${digest}`;

/** Init's reference to one file blob, and how many images hold that content. */
interface FileBlob {
  readonly ref: number;
  users: number;
}

/** The kernel's images (one store per kernel: two would overwrite each other's index). */
export class ImageStore {
  readonly #sys: SystemCalls;
  readonly #group: number;
  readonly #groupName: Name;
  readonly #type: ObjectType;
  readonly #index: number;
  readonly #images = new Map<string, Image>();
  readonly #tags = new Map<string, string>();
  readonly #manifests = new Map<string, number>();
  readonly #files = new Map<string, FileBlob>();
  // Changes run one at a time: each rewrites the index from the state the last one left.
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(sys: SystemCalls, group: number, groupName: Name, type: ObjectType, index: number) {
    this.#sys = sys;
    this.#group = group;
    this.#groupName = groupName;
    this.#type = type;
    this.#index = index;
  }

  /**
   * The image store of `kernel`, with the images and tags an earlier run
   * left in its durable store. EIO when the index or a blob it refers to is
   * damaged or missing.
   */
  static async open(kernel: Kernel): Promise<ImageStore> {
    const sys = kernel.init;
    const group = kernel.hostGroup(GROUP_SEED);
    const groupName = kernel.hostGroupName(GROUP_SEED);
    let index = await openByName(sys, await Name.seeded(groupName, INDEX_SEED));
    let type: ObjectType;
    if (index !== undefined) type = sys.ref(index).persistent ? ObjectType.DURABLE_BLOB : ObjectType.SHARED_MEMORY_BLOB;
    else {
      // Durable when the kernel has a store (create says ENOTSUP when it has none).
      try {
        type = ObjectType.DURABLE_BLOB;
        index = await createBlob(sys, type, group, INDEX_SEED);
      } catch (e) {
        if (!isDiosError(e, 'ENOTSUP')) throw e;
        type = ObjectType.SHARED_MEMORY_BLOB;
        index = await createBlob(sys, type, group, INDEX_SEED);
      }
    }
    const store = new ImageStore(sys, group, groupName, type, index);
    await store.#load(decodeIndex(await readBlob(sys, index)));
    return store;
  }

  /**
   * Adds the image made of `files` (a directory as `EngineHost.readTree`
   * gives it, `dios-image.json` among them), tagged `tag` if given (a tag
   * naming another image moves here). The same content again adds nothing
   * and keeps its first build time. EINVAL naming `tag` for a bad tag,
   * EFBIG naming the file for one larger than a blob can be, and what
   * buildManifest refuses (`dir` names the directory in its messages).
   */
  async add(files: readonly TreeFile[], tag?: string, dir = 'the image directory'): Promise<ImageSummary> {
    const fullTag = tag === undefined ? undefined : normalizeTag(tag, 'buildImage', 'tag');
    for (const file of files) {
      if (file.bytes.length > MAX_BLOB_BYTES)
        throw errors.EFBIG(
          'buildImage',
          file.path,
          `${file.bytes.length} bytes; a blob holds at most ${MAX_BLOB_BYTES}`,
        );
    }
    const built = await buildManifest(files, dir);
    return this.#serial(async () => {
      if (!this.#images.has(built.digest)) await this.#keep(built, fullTag);
      else if (fullTag !== undefined && this.#tags.get(fullTag) !== built.digest) {
        this.#tags.set(fullTag, built.digest);
        await this.#writeIndex();
      }
      return this.#summary(this.#images.get(built.digest)!);
    });
  }

  /** Every image with its tags, newest first. */
  list(): ImageSummary[] {
    return [...this.#images.values()]
      .sort((a, b) => (a.created === b.created ? (a.digest < b.digest ? -1 : 1) : a.created < b.created ? 1 : -1))
      .map((image) => this.#summary(image));
  }

  /**
   * The image `ref` names: a tag (`:latest` when it has none), a digest
   * (`sha256:` and 64 hex digits), or 12 or more of its first hex digits
   * (with or without `sha256:`). ENOENT naming `image` when nothing
   * matches, EINVAL when a prefix matches several images or `ref` is none
   * of these forms.
   */
  resolve(ref: string): Image {
    const s = 'ImageStore.resolve';
    const tag = parseTag(ref);
    const byTag = tag === undefined ? undefined : this.#tags.get(tag);
    if (byTag !== undefined) return this.#images.get(byTag)!;
    const hex = digestPrefix(ref);
    if (hex !== undefined) {
      const matches = [...this.#images.keys()].filter((d) => d.startsWith(`sha256:${hex}`));
      if (matches.length === 1) return this.#images.get(matches[0]!)!;
      if (matches.length > 1)
        throw errors.EINVAL(s, 'image', `${ref} is the start of ${matches.length} image digests: give more digits`);
    }
    if (tag === undefined && hex === undefined)
      throw errors.EINVAL(s, 'image', `${JSON.stringify(ref)} is neither name[:tag] nor a digest`);
    throw errors.ENOENT(s, 'image', `no image ${ref}`);
  }

  /**
   * Removes a tag, or an image. A tag goes alone while another tag names
   * its image; its image's last tag takes the image with it. A digest (or
   * prefix) removes the image and every tag naming it. EBUSY naming `image`
   * when the image would go and `inUse(digest)` says a container uses it;
   * ENOENT or EINVAL as resolve. File blobs no other image holds are
   * deleted.
   */
  async remove(ref: string, inUse: (digest: string) => boolean): Promise<void> {
    const s = 'removeImage';
    await this.#serial(async () => {
      const tag = parseTag(ref);
      const tagged = tag === undefined ? undefined : this.#tags.get(tag);
      const digest = tagged ?? this.resolve(ref).digest;
      const otherTags = [...this.#tags].filter(([t, d]) => d === digest && t !== tag);
      const imageGoes = tagged === undefined || otherTags.length === 0;
      if (imageGoes && inUse(digest))
        throw errors.EBUSY(s, 'image', `a container uses ${digest}${tagged === undefined ? '' : ` (tagged ${tag})`}`);
      if (tagged !== undefined) this.#tags.delete(tag!);
      if (!imageGoes) return this.#writeIndex();
      for (const [t] of otherTags) this.#tags.delete(t);
      await this.#drop(digest);
    });
  }

  /**
   * Init's handle on the blob of file `path` of image `digest` (full
   * digest), with every right: the engine shares it into containers
   * (read-only) and runs it. The file blobs are unlabelled and made by
   * init. The handle is the store's own: do not delete it. ENOENT naming
   * `image` or `path`.
   */
  fileHandle(digest: string, path: string): number {
    return this.#file(digest, path, 'ImageStore.fileHandle').ref;
  }

  /** The bytes of file `path` of image `digest`. ENOENT naming `image` or `path`. */
  async readFile(digest: string, path: string): Promise<Uint8Array> {
    return readBlob(this.#sys, this.#file(digest, path, 'ImageStore.readFile').ref);
  }

  /** Every file of image `digest` with its bytes, paths relative as readTree gives them (for EngineHost.materialize). */
  async files(digest: string): Promise<TreeFile[]> {
    const image = this.#image(digest, 'ImageStore.files');
    return Promise.all(
      image.files.map(async (f) => ({
        path: f.path.slice(1),
        bytes: await readBlob(this.#sys, this.#files.get(f.digest)!.ref),
      })),
    );
  }

  // Files first, then the manifest, then the index: the index never names an image whose blobs are not all there.
  async #keep(built: BuiltManifest, tag: string | undefined): Promise<void> {
    const { manifest, digest } = built;
    const distinct = new Map(manifest.files.map((f) => [f.digest, f.path]));
    for (const [fileDigest, path] of distinct) {
      if (this.#files.has(fileDigest)) continue;
      // A blob left by an interrupted add may exist already: it is written again.
      const ref = await createBlob(this.#sys, this.#type, this.#group, fileSeed(fileDigest), this.#groupName);
      await writeBlob(this.#sys, ref, built.contents.get(path)!);
      this.#files.set(fileDigest, { ref, users: 0 });
    }
    const manifestRef = await createBlob(this.#sys, this.#type, this.#group, manifestSeed(digest), this.#groupName);
    await writeBlob(this.#sys, manifestRef, built.bytes);
    this.#manifests.set(digest, manifestRef);
    for (const fileDigest of distinct.keys()) this.#files.get(fileDigest)!.users++;
    this.#images.set(digest, {
      digest,
      config: manifest.config,
      files: manifest.files,
      size: manifest.files.reduce((sum, f) => sum + f.size, 0),
      created: new Date().toISOString(),
    });
    if (tag !== undefined) this.#tags.set(tag, digest);
    await this.#writeIndex();
  }

  // The index first: once it no longer names the image, deleting its blobs cannot leave a dangling entry.
  async #drop(digest: string): Promise<void> {
    const image = this.#images.get(digest)!;
    this.#images.delete(digest);
    await this.#writeIndex();
    const manifestRef = this.#manifests.get(digest)!;
    this.#manifests.delete(digest);
    // Single-delete, through a reference with WRITE: the blob goes (and leaves the durable store).
    await this.#sys.delete(manifestRef);
    for (const fileDigest of new Set(image.files.map((f) => f.digest))) {
      const file = this.#files.get(fileDigest)!;
      if (--file.users > 0) continue;
      this.#files.delete(fileDigest);
      await this.#sys.delete(file.ref);
    }
  }

  async #load(index: ImageIndex): Promise<void> {
    for (const [digest, created] of index.images) {
      const manifestRef = await this.#openBlob(manifestSeed(digest), `the manifest of ${digest}`);
      const manifest = await readManifest(await readBlob(this.#sys, manifestRef), digest);
      this.#manifests.set(digest, manifestRef);
      for (const fileDigest of new Set(manifest.files.map((f) => f.digest))) {
        let file = this.#files.get(fileDigest);
        if (file === undefined) {
          file = { ref: await this.#openBlob(fileSeed(fileDigest), `file ${fileDigest} of ${digest}`), users: 0 };
          this.#files.set(fileDigest, file);
        }
        file.users++;
      }
      const size = manifest.files.reduce((sum, f) => sum + f.size, 0);
      this.#images.set(digest, { digest, config: manifest.config, files: manifest.files, size, created });
    }
    for (const [tag, digest] of index.tags) this.#tags.set(tag, digest);
  }

  async #openBlob(seed: string, what: string): Promise<number> {
    const ref = await openByName(this.#sys, await Name.seeded(this.#groupName, seed));
    if (ref === undefined) throw errors.EIO('ImageStore.open', 'index', `${what} is missing from the store`);
    return ref;
  }

  #writeIndex(): Promise<void> {
    const images = new Map([...this.#images].map(([digest, image]) => [digest, image.created]));
    return writeBlob(this.#sys, this.#index, encodeIndex({ images, tags: this.#tags }));
  }

  #summary(image: Image): ImageSummary {
    const tags = [...this.#tags].filter(([, d]) => d === image.digest).map(([t]) => t);
    return { digest: image.digest, tags: tags.sort(), size: image.size, created: image.created };
  }

  #image(digest: string, call: string): Image {
    const image = isDigest(digest) ? this.#images.get(digest) : undefined;
    if (image === undefined) throw errors.ENOENT(call, 'image', `no image with digest ${digest}`);
    return image;
  }

  #file(digest: string, path: string, call: string): FileBlob {
    const image = this.#image(digest, call);
    const absolute = normalizePath(path, call, 'path');
    const file = image.files.find((f) => f.path === absolute);
    if (file === undefined) throw errors.ENOENT(call, 'path', `image ${digest} has no file ${absolute}`);
    return this.#files.get(file.digest)!;
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(op, op);
    // The caller gets the failure; the queue only needs to know this change is over.
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

/**
 * A single-delete blob of `type` named from `seed` in the store's group
 * (single-delete so that removing an image can destroy it; it outlives
 * every reference otherwise). With `groupName`, a blob of that name that
 * exists already is opened instead.
 */
async function createBlob(
  sys: SystemCalls,
  type: ObjectType,
  group: number,
  seed: string,
  groupName?: Name,
): Promise<number> {
  try {
    const { ref } = await sys.create(
      type,
      { group, nameSeed: seed, lifecycle: 'single-delete' },
      CreateFlags.NAME_DETERMINISTIC,
    );
    return ref;
  } catch (e) {
    if (groupName === undefined || !isDiosError(e, 'EEXIST')) throw e;
    const ref = await openByName(sys, await Name.seeded(groupName, seed));
    if (ref === undefined) throw e;
    return ref;
  }
}
