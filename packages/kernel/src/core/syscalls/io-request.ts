/**
 * The request begin_read and begin_write hand to an object: one allocation
 * per call, with the wait guard as a method rather than a fresh closure.
 * @module
 */
import { errors } from '../abi/errors.js';
import type { IoRequest } from '../objects/kernel-object.js';
import type { TaskObject } from '../objects/task.js';
import type { Reference } from '../objects/reference.js';
import type { Label } from '../objects/label.js';

/** An {@link IoRequest} made by a task's system call. */
export class TaskIoRequest implements IoRequest {
  /** Fills in every field of the request. */
  constructor(
    /** The calling task. */
    readonly task: TaskObject,
    readonly ref: Reference,
    readonly syscall: string,
    readonly offset: number,
    readonly length: number,
    readonly nonblock: boolean,
    readonly truncate: boolean,
    readonly append = false,
  ) {}

  /** The calling task's label. */
  get label(): Label {
    return this.task.label;
  }

  /** Whether the task runs in another thread (a worker), so lent write buffers should be shared memory. */
  get crossThread(): boolean {
    return this.task.setup.placement === 'worker';
  }

  /** Ends a wait early when the reference was deleted or the task exited. */
  guard(): void {
    if (!this.ref.open)
      throw errors.EBADF(this.syscall, 'ref', `reference ${this.ref.id} was deleted while the call waited`);
    if (this.task.state === 'exited')
      throw errors.ECANCELED(this.syscall, undefined, 'the task exited while the call waited');
  }
}
