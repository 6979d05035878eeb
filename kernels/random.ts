// STUB: to be replaced by the RNG helper.
import type { CommandRecorder } from "../lib/gpu/recorder.ts";
import type { RandomOptions } from "../lib/backend/backend.ts";

/** Records random numbers into out [rows, cols]. */
export function encodeRandom(
  _rec: CommandRecorder,
  _args: { out: GPUBuffer; rows: number; cols: number; options: RandomOptions },
): Promise<void> {
  throw new Error("not implemented");
}
