/**
 * The shared training loop: a model, a data stream, an optimizer and a schedule, with callbacks at a
 * cadence, losses kept in a GPU history read back in chunks, bit-identical checkpoint and resume, and
 * a clear stop on a non-finite loss.
 *
 * @module
 */
export { type Batch, type DataStream, EpochStream } from "./data_stream.ts";
export { LossHistory } from "./loss_history.ts";
export {
  checkpointFingerprint,
  type LoopCheckpoint,
  runTrainingLoop,
  type TrainableModel,
  type TrainingCallback,
  type TrainingContext,
  TrainingDivergedError,
  type TrainingLoopOptions,
  type TrainingLoopResult,
  truncateMetrics,
} from "./loop.ts";
export { type ResumedRun, resumeFromRunDir } from "./resume.ts";
export { classificationAccuracy, type Classifier } from "./accuracy.ts";
