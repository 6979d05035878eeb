/**
 * Wrapper of the fused Gaussian-RBM ensemble kernel (kernels/dyson_gaussian_rbm.wgsl) and the
 * padded buffer layouts it reads: every vector is three vec4 (12 lanes), W rows likewise.
 *
 * @module
 */
import source from "./dyson_gaussian_rbm.wgsl" with { type: "text" };
import { PHILOX_WGSL } from "./random.ts";
import { type CommandRecorder, grid1d } from "../lib/gpu/recorder.ts";
import { getPipeline, type KernelSource } from "../lib/gpu/pipelines.ts";
import { UniformWriter } from "../lib/gpu/params.ts";

/** The kernel: the Philox library, then kernels/dyson_gaussian_rbm.wgsl. */
export const GAUSSIAN_RBM_KERNEL: KernelSource = {
  label: "dyson_gaussian_rbm",
  parts: [PHILOX_WGSL, { file: "kernels/dyson_gaussian_rbm.wgsl", code: source }],
};

/** Largest N_v and N_h the kernel holds (three vec4 lanes). */
export const GAUSSIAN_RBM_MAX_UNITS = 12;
/** vec4 per seed of the state buffer: W 36, W momentum 36, mu 3, mu momentum 3, eta 3. */
export const GAUSSIAN_RBM_STATE_STRIDE = 81;
/** vec4 per snapshot: W 36, mu 3. */
export const GAUSSIAN_RBM_SNAPSHOT_STRIDE = 39;
/** Loop iterations per dispatch outside the epoch loop (state load and store). */
export const GAUSSIAN_RBM_FIXED_ITERATIONS = 80;

const WORKGROUP_SIZE = 64;

/**
 * Loop iterations one epoch costs one invocation (every loop of the epoch body counted).
 *
 * @param batch Chains per seed (the largest over settings).
 * @param gibbsSteps k.
 * @param visible N_v.
 * @param hidden N_h.
 * @returns Iterations per epoch.
 */
export function gaussianRbmIterationsPerEpoch(
  batch: number,
  gibbsSteps: number,
  visible: number,
  hidden: number,
): number {
  return 36 + batch * (1 + gibbsSteps * (1 + 2 * hidden) + visible) + hidden * (1 + visible) + visible +
    3 * hidden + 4;
}

/** Arguments of one dispatch of {@linkcode encodeGaussianRbm}. */
export interface GaussianRbmArgs {
  settings: GPUBuffer;
  kinv: GPUBuffer;
  state: GPUBuffer;
  chains: GPUBuffer;
  snapshots: GPUBuffer;
  failed: GPUBuffer;
  completed: GPUBuffer;
  visible: number;
  hidden: number;
  seedsPerSetting: number;
  seeds: number;
  epochs: number;
  epochOffset: number;
  gibbsSteps: number;
  blocksPerDraw: number;
  saveInterval: number;
  slots: number;
  chunk: number;
  stream: number;
  sigma: number;
}

/** Records one dispatch advancing every seed by `epochs` epochs. */
export async function encodeGaussianRbm(rec: CommandRecorder, a: GaussianRbmArgs): Promise<void> {
  const constants = { WORKGROUP_SIZE, NV: a.visible, NH: a.hidden, GIBBS: a.gibbsSteps };
  const pipeline = await getPipeline(rec.gpu, GAUSSIAN_RBM_KERNEL, constants);
  const params = new UniformWriter()
    .u32(a.seedsPerSetting).u32(a.seeds).u32(a.epochs).u32(a.epochOffset).u32(a.blocksPerDraw)
    .u32(a.saveInterval).u32(a.slots).u32(a.chunk).u32(a.stream)
    .f32(a.sigma).f32(a.sigma * a.sigma)
    .bytes();
  rec.dispatch({
    pipeline,
    label: GAUSSIAN_RBM_KERNEL.label,
    constants,
    bindings: [
      a.settings,
      a.kinv,
      a.state,
      a.chains,
      a.snapshots,
      a.failed,
      a.completed,
      rec.uniform(params),
    ],
    workgroups: grid1d(a.seeds, WORKGROUP_SIZE, rec.gpu.device.limits.maxComputeWorkgroupsPerDimension),
  });
}

/**
 * Writes a row-major rows x cols matrix into 12-lane padded rows (3 vec4 per row) at `offset` floats.
 *
 * @param target Float32 buffer contents.
 * @param offset First float.
 * @param matrix Row-major values.
 * @param rows Rows.
 * @param cols Columns (<= 12).
 */
export function packPaddedRows(
  target: Float32Array,
  offset: number,
  matrix: ArrayLike<number>,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) target[offset + 12 * r + c] = matrix[r * cols + c];
  }
}

/** Reads rows x cols values back out of 12-lane padded rows. */
export function unpackPaddedRows(
  source: Float32Array,
  offset: number,
  rows: number,
  cols: number,
): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = source[offset + 12 * r + c];
  }
  return out;
}
