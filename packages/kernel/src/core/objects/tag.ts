/**
 * Tags: the objects whose names make up labels (docs/ifc.md). A tag has no
 * bytes; what matters is who holds a reference to it with the ADD or REMOVE
 * right, the capabilities to change one's own label by that tag.
 * @module
 */
import { ObjectType } from '../abi/flags.js';
import { KernelObject } from './kernel-object.js';

/** An information-flow tag. */
export class TagObject extends KernelObject {
  /** Always a tag. */
  readonly type = ObjectType.TAG;
  override get size(): number {
    return 0;
  }
  /** A tag is never ready: it has nothing to read or write. */
  override isReady(): boolean {
    return false;
  }
}
