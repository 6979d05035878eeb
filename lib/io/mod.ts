/**
 * Run outputs: run directories with resume, .npy arrays, metrics files, atomic writes, provenance,
 * and checkpoints with stop signals.
 *
 * @module
 */
export { isCompleteRun, type RunConfig, RunDir, type RunInfo } from "./run_dir.ts";
export { decodeNpy, encodeNpy, type NpyArray, type NpyData, readNpy, writeNpy } from "./npy.ts";
export { type MetricsRow, MetricsWriter, readMetrics } from "./metrics.ts";
export { writeFileAtomic, writeJsonAtomic } from "./atomic.ts";
export { gitCommit, TOOLKIT_VERSION } from "./provenance.ts";
export {
  CheckpointError,
  type CheckpointState,
  listenForStop,
  loadCheckpoint,
  saveCheckpoint,
  stopExitCode,
} from "../checkpoint.ts";
