/**
 * The optimizer library: SGD, heavy-ball and Nesterov momentum, Adam and AdamW with L2 or decoupled
 * weight decay and global-norm clipping, each step one fused dispatch over the flat parameters;
 * parameter groups by name pattern; Lookahead; schedules as pure functions of the step; the float64
 * references the kernels are tested against.
 *
 * @module
 */
export { Optimizer, type OptimizerState, type ParameterOptimizer } from "./optimizer.ts";
export { Lookahead, type LookaheadOptions } from "./lookahead.ts";
export {
  defaultHyperparameters,
  type GroupHyperparameters,
  type NamePattern,
  OPTIMIZER_KINDS,
  type OptimizerKind,
  type OptimizerOptions,
  type ParameterGroup,
  type ResolvedOptimizer,
  resolveOptimizer,
} from "./hyperparameters.ts";
export {
  constantSchedule,
  cosineSchedule,
  exponentialSchedule,
  joinSchedules,
  multiplySchedules,
  namedSchedule,
  oneCycleSchedule,
  type Schedule,
  SCHEDULE_NAMES,
  stepSchedule,
} from "./schedules.ts";
export {
  clipFactorReference,
  gradientNormReference,
  lookaheadSyncReference,
  optimizerStepReference,
  type OptimizerStepReferenceArgs,
  type ReferenceSegment,
} from "../reference/optim.ts";
