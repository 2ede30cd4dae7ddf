/**
 * The on-disk formats of the file blob store: the header slots at the start
 * of a blob's base file, the label region of a labelled blob, and the
 * records of its log. Encoding and decoding only; the store's protocol is
 * in file-blob-store.ts.
 *
 * A base file: two header slots, then, for a labelled blob only, its label
 * (JSON of the tag keys, written once at create: a label never changes),
 * then the data from a page boundary. The header says where the data starts
 * and the label's length and CRC-32. A label of up to 64 + 64 tags takes
 * about 8.6 KB: it would not fit a slot, and checkpoints, which rewrite a
 * slot, need not rewrite it.
 * @module
 */
import { crc32 } from 'node:zlib';
import type { Lifecycle } from '../core/abi/flags.js';
import type { LabelView } from '../core/abi/labels.js';

/** Bytes of one header slot; the base file holds two, then the data. */
export const SLOT_SIZE = 2048;
/** Where an unlabelled blob's bytes start in its base file (page-aligned, after both slots); also where a label starts. */
export const DATA_OFFSET = 4096;
const PAGE = 4096;

const SLOT_MAGIC = 'DIOSBLB2';

/** What a header slot says: the base file's bytes are this version's content, up to `size`. */
export interface BaseHeader {
  /** Checkpoint counter: the slot with the higher one wins; slot `gen % 2` is written. */
  gen: number;
  /** Version of the content the base holds (log records up to it are already applied). */
  version: number;
  /** Committed size of that content. */
  size: number;
  /** Lifecycle of the blob. */
  lifecycle: Lifecycle;
  /** Name key of the blob's group, if any. */
  group: string | undefined;
  /** Where the blob's bytes start in the base file (absent: {@link DATA_OFFSET}, the layout of an unlabelled blob). */
  data?: number;
  /** A labelled blob's label region, at {@link DATA_OFFSET}: its length and CRC-32 (absent: unlabelled). */
  label?: { length: number; crc: number };
}

/** One header slot: magic, u32 JSON length, JSON, u32 CRC-32 of all before it; zero-padded to SLOT_SIZE. */
export function encodeSlot(h: BaseHeader): Buffer {
  const json = Buffer.from(
    JSON.stringify({
      gen: h.gen,
      version: h.version,
      size: h.size,
      lifecycle: h.lifecycle,
      group: h.group ?? null,
      // Only in a labelled blob's header: an unlabelled blob's header is as before labels existed.
      ...(h.label === undefined ? {} : { data: h.data, label: { length: h.label.length, crc: h.label.crc } }),
    }),
  );
  const slot = Buffer.alloc(SLOT_SIZE);
  slot.write(SLOT_MAGIC, 0, 'ascii');
  slot.writeUInt32BE(json.length, 8);
  json.copy(slot, 12);
  if (12 + json.length + 4 > SLOT_SIZE) throw new Error('blob header does not fit its slot');
  slot.writeUInt32BE(crc32(slot.subarray(0, 12 + json.length)), 12 + json.length);
  return slot;
}

/** The newest valid header slot of a base file's first bytes, or undefined (torn, or not a base file). */
export function decodeHeader(file: Uint8Array): BaseHeader | undefined {
  let best: BaseHeader | undefined;
  for (const at of [0, SLOT_SIZE]) {
    if (file.length < at + 16) continue;
    const slot = Buffer.from(file.buffer, file.byteOffset + at, Math.min(SLOT_SIZE, file.length - at));
    if (slot.toString('ascii', 0, 8) !== SLOT_MAGIC) continue;
    const length = slot.readUInt32BE(8);
    if (12 + length + 4 > slot.length) continue;
    if (crc32(slot.subarray(0, 12 + length)) !== slot.readUInt32BE(12 + length)) continue;
    const j = JSON.parse(slot.toString('utf8', 12, 12 + length)) as Omit<BaseHeader, 'group'> & {
      group: string | null;
    };
    if (best === undefined || j.gen > best.gen) {
      best = { gen: j.gen, version: j.version, size: j.size, lifecycle: j.lifecycle, group: j.group ?? undefined };
      if (j.label !== undefined) {
        best.data = j.data;
        best.label = { length: j.label.length, crc: j.label.crc };
      }
    }
  }
  return best;
}

/** Where the data of a blob with `header` starts. */
export function dataOffset(header: BaseHeader): number {
  return header.data ?? DATA_OFFSET;
}

/** A label's region (JSON at {@link DATA_OFFSET}) and where the data then starts: the next page boundary after it. */
export function encodeLabel(label: LabelView): {
  bytes: Buffer;
  data: number;
  region: { length: number; crc: number };
} {
  const bytes = Buffer.from(JSON.stringify({ secrecy: label.secrecy, integrity: label.integrity }));
  const data = DATA_OFFSET + Math.ceil(bytes.length / PAGE) * PAGE;
  return { bytes, data, region: { length: bytes.length, crc: crc32(bytes) } };
}

/**
 * The label a header's region names, from the base file's bytes; undefined
 * for an unlabelled blob. Throws when the region is cut short or fails its
 * CRC: a labelled blob must never come back unlabelled.
 */
export function decodeLabel(header: BaseHeader, file: Uint8Array): LabelView | undefined {
  if (header.label === undefined) return undefined;
  const { length, crc } = header.label;
  const end = DATA_OFFSET + length;
  if (end > dataOffset(header) || end > file.length) throw new Error('the label region is cut short');
  const bytes = file.subarray(DATA_OFFSET, end);
  if (crc32(bytes) !== crc) throw new Error('the label region fails its CRC');
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as LabelView;
}

const RECORD_MAGIC = 0x44494f32; // 'DIO2'
/** Bytes of a record's header. */
export const RECORD_HEADER = 48;
/** Record flag: every record before this one has its extent durable in the base (a checkpoint wrote it). */
export const BARRIER = 1;

/**
 * One log record. A commit record says: at `version`, `inline` (carried in
 * the log) went to `offset`, then `extentLength` bytes that are in the base
 * file (written there directly, CRC-32 `extentCrc`) followed, and the blob
 * became `size` bytes long. A barrier record changes nothing.
 */
export interface LogRecord {
  /** {@link BARRIER} or 0. */
  flags: number;
  /** Version after the commit. */
  version: number;
  /** Where `inline` starts. */
  offset: number;
  /** Size after the commit. */
  size: number;
  /** Bytes carried in the log (overwrites inside the old size). */
  inline: Uint8Array;
  /** Bytes after `inline` that live in the base file only (the part beyond the old size). */
  extentLength: number;
  /** CRC-32 of those base-file bytes. */
  extentCrc: number;
  /** Where the record ends in the log. */
  end: number;
}

/**
 * Header then inline bytes. Layout: magic, flags, version (f64), offset
 * (f64), size (f64), inline length, extent length, extent CRC, then the
 * CRC-32 of the 44 bytes before it and the inline bytes.
 */
export function encodeRecord(r: Omit<LogRecord, 'end'>): Uint8Array[] {
  const head = Buffer.alloc(RECORD_HEADER);
  head.writeUInt32BE(RECORD_MAGIC, 0);
  head.writeUInt32BE(r.flags, 4);
  head.writeDoubleBE(r.version, 8);
  head.writeDoubleBE(r.offset, 16);
  head.writeDoubleBE(r.size, 24);
  head.writeUInt32BE(r.inline.length, 32);
  head.writeUInt32BE(r.extentLength, 36);
  head.writeUInt32BE(r.extentCrc, 40);
  head.writeUInt32BE(checksum(head.subarray(0, 44), r.inline), 44);
  return r.inline.length === 0 ? [head] : [head, r.inline];
}

/** The records of a log up to the first that is torn or corrupt (its checksum fails). */
export function parseLog(data: Buffer): LogRecord[] {
  const records: LogRecord[] = [];
  let at = 0;
  while (at + RECORD_HEADER <= data.length && data.readUInt32BE(at) === RECORD_MAGIC) {
    const length = data.readUInt32BE(at + 32);
    const end = at + RECORD_HEADER + length;
    if (end > data.length) break;
    const inline = data.subarray(at + RECORD_HEADER, end);
    if (checksum(data.subarray(at, at + 44), inline) !== data.readUInt32BE(at + 44)) break;
    records.push({
      flags: data.readUInt32BE(at + 4),
      version: data.readDoubleBE(at + 8),
      offset: data.readDoubleBE(at + 16),
      size: data.readDoubleBE(at + 24),
      inline,
      extentLength: data.readUInt32BE(at + 36),
      extentCrc: data.readUInt32BE(at + 40),
      end,
    });
    at = end;
  }
  return records;
}

/** CRC-32 of `bytes` (0 for none). */
export function crcOf(bytes: Uint8Array): number {
  return bytes.length === 0 ? 0 : crc32(bytes);
}

// Empty bytes are skipped: Node 20's zlib.crc32 answers 0 for an empty view of an empty buffer given a starting value.
function checksum(header: Uint8Array, bytes: Uint8Array): number {
  const head = crc32(header);
  return bytes.length === 0 ? head : crc32(bytes, head);
}
