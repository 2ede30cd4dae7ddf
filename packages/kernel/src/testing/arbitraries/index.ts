/**
 * fast-check arbitraries for system-call arguments and the starting states
 * of model runs. The commands and call sequences built on them are the
 * runner's ({@link systemCallCommands}, {@link callSequenceArb}).
 * @module
 */
export {
  consistencyArb,
  createArgumentsArb,
  createOptionsArb,
  flagsArb,
  invalidCreateOptionsArb,
  invalidFlagsArb,
  invalidHandleArb,
  invalidNameArb,
  invalidObjectTypeArb,
  invalidRightsArb,
  lifecycleArb,
  nameArb,
  nameKeyArb,
  objectTypeArb,
  rightsArb,
} from './values.js';
export type { CreateArguments } from './values.js';
export { scenarioArb } from './scenario.js';
export type { Groups, Scenario } from './scenario.js';
export {
  anyCallArgumentsArb,
  callArgumentsArb,
  SYSTEM_CALL_NAMES,
  type ArgumentContext,
  type CallArguments,
  type SystemCallName,
} from './call-arguments.js';
