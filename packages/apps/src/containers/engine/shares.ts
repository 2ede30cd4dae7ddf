/**
 * `--share PATH|NAME[:ro]` as the engine applies it: a host path names the
 * object at that path in the root group, made visible at the same path
 * inside; a name names an object directly, visible under that name.
 * @module
 */
import { errors, isDiosError, Name, ObjectType, pathNameSync, type Container, type Kernel } from '@dios/kernel';
import type { ShareInfo } from '../api.js';
import { parseShareSpec } from '../images/config.js';

// The host object a share spec names.
function targetOf(kernel: Kernel, parsed: ReturnType<typeof parseShareSpec>): Name {
  return 'path' in parsed.target
    ? pathNameSync(kernel.rootGroup.name, parsed.target.path)
    : Name.parse(parsed.target.name);
}

/**
 * Makes the object share `spec` (the `i`-th of the container's) names
 * visible inside `container`; returns init's handle on it, to drop when the
 * container goes. ENOENT or EINVAL naming `shares[i]`.
 */
export async function applyShare(kernel: Kernel, container: Container, spec: string, i: number): Promise<number> {
  const argument = `shares[${i}]`;
  const parsed = parseShareSpec(spec, argument);
  const init = kernel.init;
  let handles: number[];
  try {
    handles = await init.lookup(targetOf(kernel, parsed).key);
  } catch (e) {
    if (isDiosError(e, 'ENOENT'))
      throw errors.ENOENT('container create', argument, `nothing to share at ${spec.replace(/:(ro|rw)$/, '')}`);
    throw e;
  }
  for (const h of handles.slice(1)) await init.delete(h);
  const handle = handles[0]!;
  const type = init.ref(handle).type;
  if (type === ObjectType.GROUP || type === ObjectType.TAG || type === ObjectType.TASK) {
    await init.delete(handle);
    throw errors.EINVAL('container create', argument, `a ${type} cannot be shared into a container`);
  }
  kernel.shareIntoContainer(container, handle, {
    ...('path' in parsed.target ? { as: pathNameSync(container.group.name, parsed.target.path) } : {}),
    readOnly: parsed.readOnly,
  });
  return handle;
}

/** What `inspect` shows of share `spec`. */
export function shareInfo(kernel: Kernel, spec: string, i: number): ShareInfo {
  const parsed = parseShareSpec(spec, `shares[${i}]`);
  const path = 'path' in parsed.target ? parsed.target.path : undefined;
  return {
    spec,
    name: targetOf(kernel, parsed).key,
    ...(path !== undefined ? { path } : {}),
    readOnly: parsed.readOnly,
  };
}
