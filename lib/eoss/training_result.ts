/**
 * The options and results of `runEossTraining` (training.ts): callbacks, run directory, abort
 * signal, preloaded data or replay arrays in; measurement rows, batch losses, final parameters and a summary
 * (status, plateaus, where the seconds went) out.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import type { Mlp } from "../models/mlp_model.ts";
import type { CheckpointState } from "../checkpoint.ts";
import type { ProgressOptions } from "../progress.ts";
import type { MeasurementName } from "./cadence.ts";
import type { EossRow } from "./metrics.ts";
import type { PlateauSummary } from "./plateau.ts";
import type { ReplayInput } from "./replay.ts";
import type { EossData } from "./training_data.ts";

/** What a replacement update ({@linkcode EossRunOptions.update}) sees at a step. */
export interface EossUpdateContext {
  /** The step (0-based) being taken. */
  step: number;
  /** Flat parameters (update in place). */
  params: Tensor;
  /** The live batch's gradient and loss at `params` (the engine's tensors: read, do not dispose). */
  gradient: Tensor;
  loss: Tensor;
  /** The model. */
  model: Mlp;
  /** The n training rows (inputs and one-hot targets). */
  x: Tensor;
  y: Tensor;
  /** The live batch: indices into the n rows. */
  batchIndices: Uint32Array;
  /** eta. */
  learningRate: number;
}

/** How a run ended. */
export type EossStatus = "complete" | "stopLoss" | "diverged" | "aborted";

/** Options of {@linkcode runEossTraining} (all but `backend` optional). */
export interface EossRunOptions {
  /** Where the model, data and measurements run. */
  backend: Backend;
  /** A new run directory: config.json, metrics.jsonl (one row per measured step), checkpoints/, done.json. */
  runDir?: string;
  /** Called with each row once measured (in step order). */
  onMeasurement?: (row: EossRow) => void;
  /** Called with each checkpoint's state (also written under runDir/checkpoints when there is a runDir). */
  onCheckpoint?: (state: CheckpointState) => void;
  /** Stops the run (status "aborted") at the next step. */
  signal?: AbortSignal;
  /** Preloaded data (e.g. shared by the runs of a sweep) instead of loading `config.data`. */
  data?: EossData;
  /** Replay arrays given directly instead of `config.replay`'s files (validated the same way). */
  replay?: ReplayInput;
  /** A checkpoint state to start from instead of `config.fork`'s file (its step is the fork's step). */
  resumeFrom?: CheckpointState;
  /** Progress display ("quiet" by default). */
  progress?: ProgressOptions["mode"];
  /** Batch losses kept on the backend between read-backs (256). */
  historyChunk?: number;
  /** A name for config.json ("eoss_train"). */
  name?: string;
  /**
   * Replaces the SGD update (e.g. noisy GD or an SDE step built on the same measurements and cadence): called
   * once per step after the measurements, with the live batch's loss and gradient already evaluated. It must
   * update `params` in place; the run's optimizer (and its momentum) is then unused.
   */
  update?: (context: EossUpdateContext) => Promise<void>;
}

/** What a run did. */
export interface EossSummary {
  status: EossStatus;
  /** The first step this run took (0, or the fork's step). */
  startStep: number;
  /** Steps completed (global): the step at which the run stopped. */
  steps: number;
  /** The step of a NaN or infinite loss ("diverged"). */
  divergedAt?: number;
  /** The last measured full loss and accuracy. */
  finalFullLoss: number;
  finalAccuracy: number;
  /** Batch sharpness and lambda_max over the last third of the measurements, next to 2/eta. */
  plateau: PlateauSummary;
  /** Which data ("full", "subset", "synthetic") and how many parameters. */
  dataSource: string;
  parameters: number;
  backend: string;
  /** Wall seconds: data and setup, the SGD steps, each measurement kind, and the whole run. */
  seconds: { setup: number; training: number; measurements: Record<MeasurementName, number>; total: number };
}

/** The result of {@linkcode runEossTraining}. */
export interface EossRunResult {
  rows: EossRow[];
  summary: EossSummary;
  /** The batch loss of every step this run took (index 0: `startStep`). */
  batchLosses: Float64Array;
  /** The final parameters (read back). */
  params: Float32Array | Float64Array;
}
