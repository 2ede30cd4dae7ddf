/**
 * The reference model of the eleven system calls: plain data, and a pure
 * prediction for each call (the errno it must fail with, or what it must
 * return and the effect to commit).
 * @module
 */
export { KernelModel } from './kernel-model.js';
export { flagsValid, rightsValid } from './argument-checks.js';
export { derivedNameKey, groupOnKernelKey, MODEL_PROGRAM_PREFIX, programOfBytes, seedNameKey } from './names.js';
export { CREATABLE, DEFAULT_MASK, FLAG_MASK } from './rights-and-limits.js';
export { isFail } from './model-types.js';
export type {
  CreatePlan,
  DonePlan,
  EndReadPlan,
  EndWritePlan,
  Fail,
  HandlesPlan,
  MConsistency,
  MLease,
  MLifecycle,
  MMembership,
  MObj,
  MRef,
  MTask,
  MType,
  ReadPlan,
  RunPlan,
  SelectPlan,
  WritePlan,
} from './model-types.js';
