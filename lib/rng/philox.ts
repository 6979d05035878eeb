// STUB: to be replaced by the RNG helper.
import type { RandomOptions } from "../backend/backend.ts";

/** The reference random numbers [rows, cols] (Uint32Array for "u32", else Float64Array). */
export function randomReference(_rows: number, _cols: number, _o: RandomOptions): Float64Array | Uint32Array {
  throw new Error("not implemented");
}
