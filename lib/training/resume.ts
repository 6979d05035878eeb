/**
 * Continuing a run of the training loop (./loop.ts) from its run directory (lib/io/run_dir.ts): the state
 * of its checkpoint, when it wrote one, and its metrics trimmed to that step, so the resumed run appends
 * exactly the rows an uninterrupted one would have written.
 *
 * @module
 */
import { type CheckpointState, loadCheckpoint } from "../checkpoint.ts";
import { readMetrics } from "../io/metrics.ts";
import type { RunDir } from "../io/run_dir.ts";
import { checkpointFingerprint, type TrainingLoopOptions, truncateMetrics } from "./loop.ts";

/** What a run directory gives a resumed run. */
export interface ResumedRun {
  /** The checkpoint's state, or undefined when the run stopped before its first checkpoint (start again). */
  state?: CheckpointState;
  /** The full-batch loss logged at step 0 (NaN without a checkpoint, or when none was logged). */
  initialLoss: number;
}

/**
 * Loads a run directory's checkpoint (when there is one) against the loop's fingerprint and trims its
 * `metrics.jsonl` to the checkpoint's step (to nothing without a checkpoint).
 *
 * @param run The run directory.
 * @param loop The loop's checkpoint settings, optimizer and model (their fingerprint must match the file's).
 * @returns The state and the logged initial full-batch loss.
 * @throws {CheckpointError} On a corrupt or mismatched checkpoint.
 */
export async function resumeFromRunDir(
  run: RunDir,
  loop: Pick<TrainingLoopOptions, "optimizer" | "model"> & {
    checkpoint: NonNullable<TrainingLoopOptions["checkpoint"]>;
  },
): Promise<ResumedRun> {
  const c = loop.checkpoint;
  let state: CheckpointState | undefined;
  let initialLoss = NaN;
  try {
    await Deno.stat(c.path);
    state = await loadCheckpoint(c.path, { kind: c.kind, fingerprint: checkpointFingerprint(loop) });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await truncateMetrics(run.file("metrics.jsonl"), state?.step ?? 0);
  if (state) {
    const first = (await readMetrics(run.file("metrics.jsonl"))).find((r) =>
      r.step === 0 && "fullBatchLoss" in r
    );
    initialLoss = Number(first?.fullBatchLoss ?? NaN);
  }
  return { state, initialLoss };
}
