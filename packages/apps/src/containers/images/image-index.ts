/**
 * The image store's index, kept in one blob rewritten on every change: each
 * image's digest with when it was built (the manifest, content-addressed,
 * cannot hold the time), and each tag with the digest it names.
 * @module
 */
import { errors } from '@dios/kernel';
import { isDigest, parseTag } from './tags.js';

/** What the index blob holds. */
export interface ImageIndex {
  /** Digest of each image, and when it was built (ISO 8601). */
  readonly images: ReadonlyMap<string, string>;
  /** Digest each tag (`name:tag`) names. */
  readonly tags: ReadonlyMap<string, string>;
}

interface IndexJson {
  readonly version: 1;
  readonly images: readonly { readonly digest: string; readonly created: string }[];
  readonly tags: readonly { readonly tag: string; readonly digest: string }[];
}

/** The index as JSON bytes (images and tags sorted, so one state gives one blob). */
export function encodeIndex(index: ImageIndex): Uint8Array {
  const json: IndexJson = {
    version: 1,
    images: [...index.images].sort(([a], [b]) => (a < b ? -1 : 1)).map(([digest, created]) => ({ digest, created })),
    tags: [...index.tags].sort(([a], [b]) => (a < b ? -1 : 1)).map(([tag, digest]) => ({ tag, digest })),
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

/**
 * Reads the index back (an empty blob is an empty index). EIO naming
 * `index` when the bytes are not an index this code wrote, or a tag names
 * an image the index does not list.
 */
export function decodeIndex(bytes: Uint8Array): ImageIndex {
  if (bytes.length === 0) return { images: new Map(), tags: new Map() };
  const bad = (why: string): Error => errors.EIO('ImageStore.open', 'index', `the image index is damaged: ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw bad('not JSON');
  }
  const { version, images: imageList, tags: tagList } = (json ?? {}) as Partial<Record<keyof IndexJson, unknown>>;
  if (version !== 1 || !Array.isArray(imageList) || !Array.isArray(tagList)) throw bad('unknown format');
  const images = new Map<string, string>();
  for (const entry of imageList as unknown[]) {
    const { digest, created } = (entry ?? {}) as Record<string, unknown>;
    if (typeof digest !== 'string' || !isDigest(digest) || typeof created !== 'string')
      throw bad('an image entry is malformed');
    images.set(digest, created);
  }
  const tags = new Map<string, string>();
  for (const entry of tagList as unknown[]) {
    const { tag, digest } = (entry ?? {}) as Record<string, unknown>;
    if (typeof tag !== 'string' || parseTag(tag) !== tag || typeof digest !== 'string' || !images.has(digest))
      throw bad(`tag ${String(tag)}`);
    tags.set(tag, digest);
  }
  return { images, tags };
}
