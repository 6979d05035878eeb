/**
 * Wrapper of the fused Gaussian-RBM ensemble kernel (kernels/dyson/dyson_gaussian_rbm.wgsl) and the
 * padded buffer layouts it reads: every vector is three vec4 (12 lanes), W rows likewise.
 *
 * @module
 */
import source from "./dyson_gaussian_rbm.wgsl" with { type: "text" };
import stepsSource from "./dyson_gaussian_rbm_steps.wgsl" with { type: "text" };
import { PHILOX_WGSL } from "../random/random.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";

/** The kernel: the Philox library, the epoch's steps (chains, W update), then the kernel itself. */
export const GAUSSIAN_RBM_KERNEL: KernelSource = {
  label: "dyson_gaussian_rbm",
  parts: [
    PHILOX_WGSL,
    { file: "kernels/dyson/dyson_gaussian_rbm_steps.wgsl", code: stepsSource },
    { file: "kernels/dyson/dyson_gaussian_rbm.wgsl", code: source },
  ],
};

/** The kernel's uniform struct. */
export const GAUSSIAN_RBM_PARAMS = new StructLayout(
  "Params",
  "kernels/dyson/dyson_gaussian_rbm.wgsl",
  [
    ["seeds_per_setting", "u32"],
    ["seeds", "u32"],
    ["epochs", "u32"],
    ["epoch_offset", "u32"],
    ["blocks_per_draw", "u32"],
    ["save_interval", "u32"],
    ["slots", "u32"],
    ["chunk", "u32"],
    ["stream", "u32"],
    ["sigma", "f32"],
    ["sigma2", "f32"],
  ] as const,
);

/** One element of the settings array (binding 0). */
export const GAUSSIAN_RBM_SETTING = new StructLayout(
  "Setting",
  "kernels/dyson/dyson_gaussian_rbm.wgsl",
  [
    ["lr", "f32"],
    ["l2", "f32"],
    ["momentum", "f32"],
    ["mu_mode", "u32"],
    ["batch", "u32"],
    ["chain_offset", "u32"],
    ["key0", "u32"],
    ["pad", "u32"],
  ] as const,
);

/** What one setting of the sweep gives the kernel. */
export interface GaussianRbmSetting {
  learningRate: number;
  l2: number;
  momentum: number;
  muMode: "frozen" | "global" | "local";
  batchSize: number;
  seed: number;
}

/**
 * The bytes of the settings buffer (binding 0), one {@linkcode GAUSSIAN_RBM_SETTING} per setting.
 *
 * @param settings The sweep's settings.
 * @param chainOffsets Index of each setting's first persistent chain.
 */
export function gaussianRbmSettingsWords(
  settings: readonly GaussianRbmSetting[],
  chainOffsets: readonly number[],
): Uint32Array {
  const muModes = { frozen: 0, global: 1, local: 2 };
  return new Uint32Array(GAUSSIAN_RBM_SETTING.arrayBytes(settings.map((s, i) => ({
    lr: s.learningRate,
    l2: s.l2,
    momentum: s.momentum,
    mu_mode: muModes[s.muMode],
    batch: s.batchSize,
    chain_offset: chainOffsets[i],
    key0: s.seed,
    pad: 0,
  }))));
}

/**
 * Floats of one seed's state (binding 2, {@linkcode GAUSSIAN_RBM_STATE_STRIDE} vec4 per seed) where each part
 * starts: W and its momentum as 12 padded rows of 12 lanes, then mu, its momentum and eta as 12 lanes each.
 */
const STATE_FLOATS = { weights: 0, weightMomentum: 144, mu: 288, muMomentum: 300, eta: 312 };
/** Floats of one snapshot where each part starts (binding 4): W as padded rows, then mu. */
const SNAPSHOT_FLOATS = { weights: 0, mu: 144 };

/** The initial state of every seed of an ensemble, as the host holds it. */
export interface GaussianRbmInitialState {
  visible: number;
  hidden: number;
  seeds: number;
  slots: number;
  /** W per seed, [seeds, N_h N_v] row-major. */
  weights: ArrayLike<number>;
  /** The initial mass on every visible site. */
  mu0: number;
  /** The fixed hidden bias eta [N_h]. */
  eta: ArrayLike<number>;
}

/**
 * The state (binding 2) and snapshot (binding 4) buffers' initial contents: W and mu0 per seed (padded lanes of
 * mu are 1 so that their masked 1/mu stays finite), zero momenta, eta, and slot 0 of the snapshots.
 */
export function packGaussianRbmState(
  s: GaussianRbmInitialState,
): { state: Float32Array; snapshots: Float32Array } {
  const { visible: nv, hidden: nh } = s;
  const state = new Float32Array(s.seeds * GAUSSIAN_RBM_STATE_STRIDE * 4);
  const snapshots = new Float32Array(s.seeds * s.slots * GAUSSIAN_RBM_SNAPSHOT_STRIDE * 4);
  for (let seed = 0; seed < s.seeds; seed++) {
    const base = seed * GAUSSIAN_RBM_STATE_STRIDE * 4;
    const w = Array.prototype.slice.call(s.weights, seed * nh * nv, (seed + 1) * nh * nv) as number[];
    packPaddedRows(state, base + STATE_FLOATS.weights, w, nh, nv);
    state.fill(1, base + STATE_FLOATS.mu, base + STATE_FLOATS.mu + 12);
    state.fill(s.mu0, base + STATE_FLOATS.mu, base + STATE_FLOATS.mu + nv);
    state.set(Array.from(s.eta), base + STATE_FLOATS.eta);
    const snap = seed * s.slots * GAUSSIAN_RBM_SNAPSHOT_STRIDE * 4;
    packPaddedRows(snapshots, snap + SNAPSHOT_FLOATS.weights, w, nh, nv);
    snapshots.fill(s.mu0, snap + SNAPSHOT_FLOATS.mu, snap + SNAPSHOT_FLOATS.mu + nv);
  }
  return { state, snapshots };
}

/** W, mu and the snapshots [seeds, slots, N_h N_v + N_v] read back out of the state and snapshot buffers. */
export function unpackGaussianRbmState(
  state: Float32Array,
  snapshotsPadded: Float32Array,
  s: { visible: number; hidden: number; seeds: number; slots: number },
): { weights: Float32Array; mu: Float32Array; snapshots: Float32Array } {
  const { visible: nv, hidden: nh } = s;
  const weights = new Float32Array(s.seeds * nh * nv), mu = new Float32Array(s.seeds * nv);
  const snapStride = nh * nv + nv, snapshots = new Float32Array(s.seeds * s.slots * snapStride);
  for (let seed = 0; seed < s.seeds; seed++) {
    const base = seed * GAUSSIAN_RBM_STATE_STRIDE * 4;
    weights.set(unpackPaddedRows(state, base + STATE_FLOATS.weights, nh, nv), seed * nh * nv);
    mu.set(state.subarray(base + STATE_FLOATS.mu, base + STATE_FLOATS.mu + nv), seed * nv);
    for (let slot = 0; slot < s.slots; slot++) {
      const from = (seed * s.slots + slot) * GAUSSIAN_RBM_SNAPSHOT_STRIDE * 4;
      const to = (seed * s.slots + slot) * snapStride;
      snapshots.set(unpackPaddedRows(snapshotsPadded, from + SNAPSHOT_FLOATS.weights, nh, nv), to);
      snapshots.set(
        snapshotsPadded.subarray(from + SNAPSHOT_FLOATS.mu, from + SNAPSHOT_FLOATS.mu + nv),
        to + nh * nv,
      );
    }
  }
  return { weights, mu, snapshots };
}

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
  const params = GAUSSIAN_RBM_PARAMS.bytes({
    seeds_per_setting: a.seedsPerSetting,
    seeds: a.seeds,
    epochs: a.epochs,
    epoch_offset: a.epochOffset,
    blocks_per_draw: a.blocksPerDraw,
    save_interval: a.saveInterval,
    slots: a.slots,
    chunk: a.chunk,
    stream: a.stream,
    sigma: a.sigma,
    sigma2: a.sigma * a.sigma,
  });
  await dispatch1d(rec, {
    kernel: GAUSSIAN_RBM_KERNEL,
    constants,
    invocations: a.seeds,
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
