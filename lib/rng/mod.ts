/**
 * Philox4x32-10 counter-based random numbers in TypeScript, bit-identical to the WGSL library
 * part every kernel uses: any sample of any walker at any step can be drawn anywhere.
 *
 * @module
 */
export {
  normalPairFromU32,
  philox4x32_10,
  PhiloxStream,
  rademacherFromU32,
  randomReference,
  uniformFromU32,
} from "./philox.ts";
