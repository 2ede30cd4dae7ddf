/**
 * Booting with a durable store: the blobs a store holds come back as
 * objects of the new kernel.
 * @module
 */
import { Name } from '../abi/names.js';
import type { KernelState } from './kernel-state.js';
import type { BlobStore } from '../objects/store.js';
import { DurableBlobObject } from '../objects/durable-blob.js';
import { GroupObject } from '../objects/group.js';
import { labelFromWire } from '../objects/label.js';

/**
 * Brings back the durable blobs of an earlier run into a booting kernel,
 * with their names, versions, labels and groups. Groups are not durable: the root
 * group is there already; any other group a durable blob was named in comes
 * back as an immortal group of that name, itself named in the root group so
 * init can reach it.
 */
export async function loadDurableBlobs(kernel: KernelState, store: BlobStore): Promise<void> {
  for (const blob of await store.load()) {
    const name = Name.parse(blob.name, 'Kernel.boot', 'options.store');
    if (kernel.objects.has(name.key)) continue;
    let group: GroupObject | undefined;
    if (blob.group !== undefined) {
      const existing = kernel.objects.get(blob.group);
      if (existing instanceof GroupObject) group = existing;
      else if (existing === undefined) {
        group = new GroupObject(Name.parse(blob.group, 'Kernel.boot', 'options.store'), 'immortal', kernel.rootGroup);
        kernel.objects.set(group.name.key, group);
        kernel.rootGroup.add(group);
      }
    }
    const obj = new DurableBlobObject(name, blob.lifecycle, group, store, blob.bytes, blob.version);
    // The label it was created with (checked like a peer's: a store's bytes are not trusted to be well formed).
    obj.label = labelFromWire(blob.label, 'Kernel.boot', 'options.store');
    kernel.objects.set(name.key, obj);
    group?.add(obj);
  }
}
