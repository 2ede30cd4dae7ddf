/**
 * @dios/kernel: the DIOS kernel in TypeScript. Objects (blobs, streams,
 * tasks, groups) have global 256-bit names; tasks reach them through
 * references and exactly eleven system calls.
 *
 * @example
 * ```ts
 * import { Kernel, ObjectType } from '@dios/kernel';
 * const kernel = await Kernel.boot();
 * const sys = kernel.init;
 * const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
 * const buf = await sys.beginWrite(ref, 5);
 * buf.set(new TextEncoder().encode('hello'));
 * await sys.endWrite(ref, buf);
 * ```
 *
 * Tuning constants and internals that only tests need are in
 * `@dios/kernel/testing`; the compliance suites a new transport runs are in
 * `@dios/kernel/compliance`.
 * @module @dios/kernel
 */
export { Kernel } from './core/kernel.js';
export { PROGRAM_PREFIX, programBinary } from './core/abi/program.js';
export type { KernelOptions } from './core/kernel.js';
export type { KernelState } from './core/kernel/kernel-state.js';
export type { PeerLink, JoinOptions, LookupStats, NameResolution } from './core/peer/peer-link.js';
export { TaskContext } from './core/syscalls/task-context.js';
export { DiosError, Errno, errors, isDiosError } from './core/abi/errors.js';
export type { ErrnoCode } from './core/abi/errors.js';
export { Name, NAME_BYTES } from './core/abi/names.js';
export {
  BeginReadFlags,
  BeginWriteFlags,
  CopyFlags,
  CREATABLE_TYPES,
  DEVICE_TYPES,
  CreateFlags,
  DEFAULT_LOOKUP_RIGHTS,
  DeleteFlags,
  EndReadFlags,
  EndWriteFlags,
  formatRights,
  LookupFlags,
  ObjectType,
  PauseFlags,
  PROXIMITY_SCALE,
  Rights,
  RunFlags,
  TAG_RIGHTS,
  SelectFlags,
} from './core/abi/flags.js';
export type { Consistency, Lifecycle, Proximity, SelectAllFlags, SelectResult } from './core/abi/flags.js';
export { RefView } from './core/objects/reference.js';
export type { LabelHolder } from './core/objects/reference.js';
export { Label, canFlow } from './core/objects/label.js';
export { LABEL_CHANGE_KEYS, MAX_LABEL_TAGS } from './core/abi/labels.js';
export type { LabelChange, LabelSpec, LabelView } from './core/abi/labels.js';
export { ProvenanceLog, DEFAULT_PROVENANCE_RECORDS, MAX_PROVENANCE_RECORDS } from './core/kernel/provenance.js';
export type { FlowOperation, ProvenanceRecord } from './core/kernel/provenance.js';
export type { TaskState, TaskStatus } from './core/abi/system-calls.js';
export type {
  BinaryFormat,
  Placement,
  ProcessKind,
  Program,
  ProgramFunction,
  ProgramModule,
} from './core/abi/program.js';
export type { BlockingSystemCalls } from './core/abi/blocking-system-calls.js';
export { DIOS_IMPORT_MODULE, isWasm, wasmImportModules, wasmProcessKind } from './core/syscalls/wasm-binary.js';
export type { SystemCalls, RefAttributes } from './core/abi/system-calls.js';
export type { TaskExecutor } from './core/kernel/executor.js';
export type { Device, DeviceRequest } from './core/kernel/device.js';
export { kernelStatusName } from './core/kernel/kernel-status.js';
export { nodeLoad } from './core/kernel/scheduler.js';
export { ANY_KERNEL } from './core/scheduling/placement-policy.js';
export type { PlacementRequest, SchedulingPolicy } from './core/scheduling/placement-policy.js';
export { localityPolicy } from './core/scheduling/greedy-policy.js';
export type { Assignment, ClusterScheduler, MachineSpec, PendingTask } from './core/scheduling/cluster-scheduler.js';
export { BookedScheduler } from './core/scheduling/booked-scheduler.js';
export { GreedyScheduler } from './core/scheduling/greedy-scheduler.js';
export { RandomScheduler } from './core/scheduling/random-scheduler.js';
export { FlowScheduler } from './core/scheduling/flow-scheduler.js';
export type { FlowSchedulerOptions } from './core/scheduling/flow-scheduler.js';
export { DEFAULT_COST_MODEL, PENALTY } from './core/scheduling/cost-model.js';
export type { FlowCostModel } from './core/scheduling/cost-model.js';
export { MinCostFlow, UNLIMITED } from './core/scheduling/min-cost-flow.js';
export { flowPolicy, DEFAULT_SLOTS } from './core/scheduling/flow-policy.js';
export {
  classifyTask,
  taskIntensity,
  MEMORY_BYTES_PER_MS,
  MIN_CLASSIFY_MS,
  HEAP_BASELINE_BYTES,
} from './core/scheduling/classify-task.js';
export { TaskProfiles } from './core/scheduling/task-profiles.js';
export type { TaskProfilesOptions } from './core/scheduling/task-profiles.js';
export { programKey } from './core/scheduling/program-key.js';
export type { SolveStats } from './core/scheduling/min-cost-flow.js';
export { TASK_CLASSES } from './core/scheduling/task-class.js';
export type { TaskClass } from './core/scheduling/task-class.js';
export type { NodeLoad } from './core/wire/transport.js';
export type { KernelStatus, ObjectStatus } from './core/kernel/kernel-status.js';
export type { ConsoleSink } from './core/objects/console.js';
export { Container, STOP_NOTICE_SEED, EXIT_KILLED } from './core/objects/container.js';
export type {
  ContainerEvent,
  ContainerExitReason,
  ContainerHandles,
  ContainerLimits,
  ContainerOptions,
} from './core/objects/container.js';
export { containerGroupName } from './core/kernel/containers.js';
export type { ContainerWire } from './core/wire/transport.js';
export type {
  CopyOptions,
  CreateOptions,
  CreateResult,
  EndWriteOptions,
  NetworkAddress,
  ReadOptions,
  SelectOptions,
  TaskSpec,
  WriteOptions,
} from './core/abi/syscall-options.js';
export { DEFAULT_STREAM_CAPACITY } from './core/objects/stream.js';
export { MAX_BLOB_BYTES } from './core/objects/blob.js';
export { LoopbackNetwork, LoopbackTransport, type LoopbackHub } from './transport/loopback.js';
export type {
  Transport,
  PeerRequest,
  PeerReply,
  PeerError,
  RequestHandler,
  ObjectDescriptor,
  RemoteHandle,
} from './core/wire/transport.js';
export { EXIT_PEER_GONE } from './core/peer/peer-service.js';
export type { BlobChange, BlobStore, StoredBlob, StoredBlobMeta } from './core/objects/store.js';
export { systemClock, type Clock } from './core/objects/clock.js';
export { normalizePath, pathName, pathNameSync, pathSeed, PATH_MAX } from './core/abi/paths.js';
export { formatTaskReports, monitorTasks, taskReport } from './core/kernel/monitoring.js';
export { Syscall, SYSCALL_NAMES } from './core/abi/syscall-kinds.js';
export type { TaskReport } from './core/kernel/monitoring.js';
export type { TaskStatsSnapshot } from './core/objects/task-stats.js';
export type { SyscallName } from './core/abi/syscall-kinds.js';
