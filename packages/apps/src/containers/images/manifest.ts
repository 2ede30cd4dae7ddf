/**
 * An image's manifest: its config (checked and normalised) and its files
 * sorted by path, each with size and content digest, written as canonical
 * JSON (fixed key order, no spaces). The image's digest is the SHA-256 of
 * those bytes, so the same directory content always gives the same image;
 * the time it was built is kept apart and is not in the digest.
 * @module
 */
import { errors, normalizePath } from '@dios/kernel';
import { IMAGE_CONFIG_FILE, type ImageConfig, type ImageFile, type TreeFile } from '../api.js';
import { parseImageConfig } from './config.js';

/** What an image's digest covers. */
export interface Manifest {
  /** Format version of the manifest. */
  readonly schemaVersion: 1;
  /** The config, normalised. */
  readonly config: ImageConfig;
  /** Every file (the config file included), sorted by path. */
  readonly files: readonly ImageFile[];
}

/** A manifest with its canonical bytes and digest, and the files' contents by path. */
export interface BuiltManifest {
  /** The manifest. */
  readonly manifest: Manifest;
  /** Its canonical JSON, UTF-8: what the store keeps and the digest is taken of. */
  readonly bytes: Uint8Array;
  /** `sha256:` and 64 hex digits of `bytes`. */
  readonly digest: string;
  /** Each file's bytes, by absolute path. */
  readonly contents: ReadonlyMap<string, Uint8Array>;
}

/** `sha256:` and the 64 lowercase hex digits of the SHA-256 of `bytes`. */
export async function sha256Digest(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  return `sha256:${Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Builds the manifest of a directory's files (as `EngineHost.readTree`
 * gives them; `dir` names the directory in messages). ENOENT naming `dir`
 * for an empty directory or one without `dios-image.json`, EINVAL for its
 * config (see parseImageConfig) or two files of one path, ENOENT naming
 * `config.entry` when the entry is not among the files.
 */
export async function buildManifest(files: readonly TreeFile[], dir: string): Promise<BuiltManifest> {
  const s = 'buildImage';
  if (files.length === 0) throw errors.ENOENT(s, 'dir', `${dir} holds no files (an image needs ${IMAGE_CONFIG_FILE})`);
  const contents = new Map<string, Uint8Array>();
  for (const file of files) {
    const path = normalizePath(file.path, s, 'dir');
    if (contents.has(path)) throw errors.EINVAL(s, 'dir', `${dir}: two files at ${path}`);
    contents.set(path, file.bytes);
  }
  const configBytes = contents.get(`/${IMAGE_CONFIG_FILE}`);
  if (configBytes === undefined) throw errors.ENOENT(s, 'dir', `${dir} has no ${IMAGE_CONFIG_FILE}`);
  const config = parseImageConfig(configBytes, `${dir}/${IMAGE_CONFIG_FILE}`);
  if (!contents.has(config.entry)) throw errors.ENOENT(s, 'config.entry', `${config.entry} is not a file of ${dir}`);
  const paths = [...contents.keys()].sort(comparePaths);
  const digests = await Promise.all(paths.map((p) => sha256Digest(contents.get(p)!)));
  const manifest: Manifest = {
    schemaVersion: 1,
    config,
    files: paths.map((path, i) => ({ path, size: contents.get(path)!.length, digest: digests[i]! })),
  };
  const bytes = new TextEncoder().encode(canonicalJson(manifest));
  return { manifest, bytes, digest: await sha256Digest(bytes), contents };
}

/**
 * Reads a manifest back from the bytes the store kept, checking they are
 * the manifest of `digest` (EIO naming `image` otherwise: the store was
 * tampered with or damaged).
 */
export async function readManifest(bytes: Uint8Array, digest: string): Promise<Manifest> {
  if ((await sha256Digest(bytes)) !== digest)
    throw errors.EIO('readManifest', 'image', `the stored manifest of ${digest} does not match its digest`);
  return JSON.parse(new TextDecoder().decode(bytes)) as Manifest;
}

// Code-unit order, not locale order: the same on every host.
function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Keys in a fixed order and no spaces: the digest must not depend on how the objects were built.
function canonicalJson(manifest: Manifest): string {
  const c = manifest.config;
  const config = {
    entry: c.entry,
    ...(c.args !== undefined && { args: c.args }),
    ...(c.env !== undefined && {
      env: Object.fromEntries(Object.entries(c.env).sort(([a], [b]) => comparePaths(a, b))),
    }),
    ...(c.limits !== undefined && {
      limits: {
        ...(c.limits.memory !== undefined && { memory: c.limits.memory }),
        ...(c.limits.tasks !== undefined && { tasks: c.limits.tasks }),
        ...(c.limits.cpuShares !== undefined && { cpuShares: c.limits.cpuShares }),
      },
    }),
    ...(c.shares !== undefined && { shares: c.shares }),
  };
  const files = manifest.files.map((f) => ({ path: f.path, size: f.size, digest: f.digest }));
  return JSON.stringify({ schemaVersion: manifest.schemaVersion, config, files });
}
