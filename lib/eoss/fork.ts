/**
 * Checkpoint forks (specs/seed003 EOSS-15): a run writes checkpoints at chosen steps (the state before that
 * step's update: parameters, optimizer state, lambda_max's warm-start vector, the epoch plan); a fork
 * restarts from the parent's checkpoint at step s with eta raised or b lowered. Everything else must match
 * the parent (model, data, seeds, replay files): the fingerprint checks it. A fork that changes nothing
 * reproduces its parent bit for bit (same batches, same updates, same measurements).
 *
 * The epoch plan: the batches of step t come from the epoch plan's last segment starting at or before t.
 * A run starts with one segment (step 0, epoch 0, b). A fork that keeps b keeps the plan; a fork that changes
 * b at step s starts a fresh epoch there (the next epoch index after the one step s was in, or that epoch
 * when s is its first step), cut into batches of the new b.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { type CheckpointState, type FingerprintValue, loadCheckpoint } from "../checkpoint.ts";
import type { ParameterOptimizer } from "../optim/optimizer.ts";
import type { EossTrainingConfig } from "./training_config.ts";

/** The checkpoint kind of EoSS runs. */
export const EOSS_CHECKPOINT_KIND = "eoss_training";

/** A piece of the epoch plan: from `step` on, epochs `epoch`, `epoch + 1`... cut into batches of `batchSize`. */
export interface EpochSegment {
  step: number;
  epoch: number;
  batchSize: number;
}

/** Where step `step` is: its epoch and the first row of its batch in that epoch's order. */
export function locateStep(
  plan: readonly EpochSegment[],
  step: number,
  rowsPerEpoch: number,
): { epoch: number; begin: number; batchSize: number; slot: number } {
  let seg = plan[0];
  for (const s of plan) if (s.step <= step) seg = s;
  const perEpoch = Math.floor(rowsPerEpoch / seg.batchSize), k = step - seg.step;
  const slot = k % perEpoch;
  return {
    epoch: seg.epoch + Math.floor(k / perEpoch),
    begin: slot * seg.batchSize,
    batchSize: seg.batchSize,
    slot,
  };
}

/** The plan of a fork at step `step` with batch size `batchSize` (unchanged when b is unchanged). */
export function forkPlan(
  plan: readonly EpochSegment[],
  step: number,
  batchSize: number,
  rowsPerEpoch: number,
): EpochSegment[] {
  const kept = plan.filter((s) => s.step <= step);
  const at = locateStep(kept, step, rowsPerEpoch);
  if (at.batchSize === batchSize) return kept;
  return [...kept.filter((s) => s.step < step), {
    step,
    epoch: at.slot === 0 ? at.epoch : at.epoch + 1,
    batchSize,
  }];
}

/**
 * The settings a fork must share with its parent: model, data, seeds, momentum, replay files (not eta, b,
 * steps, the stop rule, the cadences, the estimators' settings or the checkpoints).
 */
export function forkFingerprint(
  config: EossTrainingConfig,
  parameters: number,
): Record<string, FingerprintValue> {
  return {
    model: JSON.stringify(config.model),
    data: JSON.stringify({ ...config.data, dataDir: undefined }),
    seeds: JSON.stringify(config.seeds),
    momentum: config.optimizer.momentum,
    replay: JSON.stringify(config.replay ?? null),
    parameters,
  };
}

/** The checkpoint file of step `step` in a run directory. */
export function checkpointFile(runDir: string, step: number): string {
  return `${runDir}/checkpoints/step-${String(step).padStart(8, "0")}.ckpt`;
}

/**
 * Loads the checkpoint a fork starts from: `fork.from` is a run directory or a checkpoint file.
 *
 * @throws {CheckpointError} When it is missing, corrupt, or written by a run with other settings (exit 3).
 */
export async function loadForkCheckpoint(
  config: EossTrainingConfig,
  parameters: number,
): Promise<CheckpointState> {
  const fork = config.fork!;
  const isFile = fork.from.endsWith(".ckpt");
  const path = isFile ? fork.from : checkpointFile(fork.from, fork.step);
  const state = await loadCheckpoint(path, {
    kind: EOSS_CHECKPOINT_KIND,
    fingerprint: forkFingerprint(config, parameters),
  });
  if (state.step !== fork.step) {
    throw new RangeError(`Cannot fork from ${path}: it is the state at step ${state.step}, not ${fork.step}`);
  }
  return state;
}

/**
 * The state of a run before step `step`'s update: parameters, optimizer state (as `optimizer.<name>`),
 * lambda_max's warm-start vector (`lambdaVector`, when there is one) and the epoch plan (meta).
 */
export async function captureCheckpoint(
  live: { backend: Backend; params: Tensor; optimizer: ParameterOptimizer; lambdaVector?: Tensor },
  about: {
    step: number;
    fingerprint: Record<string, FingerprintValue>;
    plan: readonly EpochSegment[];
    learningRate: number;
  },
): Promise<CheckpointState> {
  const { backend, params, optimizer } = live, P = params.shape[0];
  const [values, state] = await Promise.all([backend.read(params), optimizer.exportState()]);
  const arrays: CheckpointState["arrays"] = { params: { data: values.slice(), shape: [P] } };
  for (const [k, v] of Object.entries(state.arrays)) {
    arrays[`optimizer.${k}`] = { data: v, shape: [v.length] };
  }
  if (live.lambdaVector) {
    arrays.lambdaVector = { data: (await backend.read(live.lambdaVector)).slice(), shape: [P] };
  }
  return {
    kind: EOSS_CHECKPOINT_KIND,
    step: about.step,
    fingerprint: about.fingerprint,
    arrays,
    counters: { optimizerStep: state.step },
    meta: { plan: about.plan, learningRate: about.learningRate },
  };
}

/** Restores the optimizer state of a checkpoint from {@linkcode captureCheckpoint}. */
export function restoreOptimizer(state: CheckpointState, optimizer: ParameterOptimizer): void {
  const arrays: Record<string, Float32Array | Float64Array> = {};
  for (const [k, v] of Object.entries(state.arrays)) {
    if (k.startsWith("optimizer.")) arrays[k.slice(10)] = v.data as Float32Array | Float64Array;
  }
  optimizer.importState({ step: state.counters.optimizerStep, arrays });
}
