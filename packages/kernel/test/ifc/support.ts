/**
 * Helpers of the information-flow tests (issue 13): a kernel with every
 * object type available (a durable store, the network, a console sink),
 * tags, label changes through a task's own task object, host tasks that
 * init can hand references to, and the assertion every refusal must pass:
 * EPERM naming the argument, nothing changed anywhere in the kernel, and
 * a refused flow in the provenance log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  Kernel,
  ObjectType,
  Rights,
  type KernelOptions,
  type LabelChange,
  type LabelView,
  type Name,
  type ProvenanceRecord,
  type SystemCalls,
} from '@dios/kernel';
import { FileBlobStore, useNetwork } from '@dios/kernel/node';
import { dec, expectErrno } from '../helpers.js';
import { BlobObject } from '../../src/core/objects/blob.js';

export { dec, enc, expectErrno, readAll, writeAll } from '../helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];

/** Closes the stores and removes the directories the helpers made (call in afterEach). */
export async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

/** A kernel with provenance on, a durable store in a scratch directory, the network and a console sink. */
export async function labKernel(
  options: KernelOptions = {},
): Promise<{ kernel: Kernel; sys: SystemCalls; out: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'dios-ifc-'));
  const store = new FileBlobStore(dir);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  const out: string[] = [];
  const kernel = await Kernel.boot({ store, consoleSink: (b) => out.push(dec(b)), ...options });
  useNetwork(kernel);
  return { kernel, sys: kernel.init, out };
}

/** Creates a tag; its creator holds every capability (READ, WRITE, EXEC, DELEGATE, ADD, REMOVE). */
export async function makeTag(sys: SystemCalls): Promise<{ name: Name; ref: number }> {
  return sys.create(ObjectType.TAG);
}

/** The bytes of a label change as a task writes them. */
export function changeBytes(change: LabelChange | string): Uint8Array {
  return new TextEncoder().encode(typeof change === 'string' ? change : JSON.stringify(change));
}

/** Changes the task's own label: a write to its own task object (resolves to the task object's version). */
export async function changeLabel(sys: SystemCalls, change: LabelChange | string): Promise<number> {
  const bytes = changeBytes(change);
  const buf = await sys.beginWrite(sys.self, bytes.length);
  buf.set(bytes);
  return sys.endWrite(sys.self, buf);
}

/** Adds the tag of reference `tag` to the task's secrecy set. */
export function raise(sys: SystemCalls, tag: number): Promise<number> {
  return changeLabel(sys, { addSecrecy: [tag] });
}

/** The task's own label, read from its task object. */
export async function labelOf(sys: SystemCalls): Promise<LabelView> {
  const buf = await sys.beginRead(sys.self);
  const view = JSON.parse(dec(buf.slice())) as LabelView;
  await sys.endRead(sys.self, buf);
  return view;
}

/** A host task, and the handle of init's reference to it (all rights, so init may copy to it and pause it). */
export async function hostTask(kernel: Kernel, argv: string[]): Promise<{ sys: SystemCalls; ref: number }> {
  const sys = await kernel.attachTask(argv, undefined, { lookupRights: Rights.ALL });
  const [ref] = await kernel.init.lookup(sys.taskName);
  return { sys, ref: ref! };
}

/** Copies one reference of `from` to the task `target` names (optionally attenuated); returns the new handle. */
export async function give(from: SystemCalls, handle: number, target: number, rights?: number): Promise<number> {
  const [h] = await from.copy([handle], target, rights === undefined ? {} : { rights });
  return h!;
}

/**
 * Everything a refused call must leave as it was: every object's version,
 * size, label and (blobs) bytes, and every task's label, handles and lent
 * buffers.
 */
export function kernelSnapshot(kernel: Kernel): unknown {
  const objects = [...kernel.objects.values()].map((o) => ({
    name: o.name.key,
    type: o.type,
    version: o.version,
    size: o.size,
    label: o.label.toString(),
    bytes: o instanceof BlobObject ? new Uint8Array(o.backing).subarray(0, o.size).join(',') : undefined,
  }));
  const tasks = [...kernel.tasks.values()].map((t) => ({
    name: t.name.key,
    state: t.state,
    label: t.label.toString(),
    refs: [...t.table.values()].map((r) => `${r.id}:${r.rights}:${r.open}:${r.leaseCount}`),
  }));
  return { objects, tasks };
}

/** Refused flows recorded since the log held `since` records in total. */
export function refusalsSince(kernel: Kernel, since: number): ProvenanceRecord[] {
  const log = kernel.provenance!;
  const added = log.records().slice(-(log.total - since) || log.records().length);
  return (log.total === since ? [] : added).filter((r) => !r.allowed);
}

/**
 * Asserts that `action` fails with EPERM naming `argument` (of `syscall`),
 * changes nothing in `kernel`, and leaves a refused flow of `syscall` in its
 * provenance log; returns that record.
 */
export async function expectRefused(
  kernel: Kernel,
  action: () => Promise<unknown>,
  argument: string,
  syscall: string,
): Promise<ProvenanceRecord> {
  const before = kernelSnapshot(kernel);
  const since = kernel.provenance!.total;
  await expectErrno(action, 'EPERM', argument, syscall);
  expect(kernelSnapshot(kernel)).toEqual(before);
  const refused = refusalsSince(kernel, since);
  expect(refused.map((r) => r.syscall)).toContain(syscall);
  kernel.checkInvariants();
  return refused.find((r) => r.syscall === syscall)!;
}
