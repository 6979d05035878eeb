/**
 * Trains an ensemble of Gaussian RBMs (settings x seeds) on the free-field target: on webgpu
 * one fused dispatch advances every seed of every setting by many epochs; on the reference
 * backend the float64 loop of lib/dyson/gaussian_rbm_reference.ts runs. Results do not
 * depend on epochs per dispatch (tests/dyson_gaussian_rbm_test.ts).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { WebGpuBackend } from "../backend/webgpu.ts";
import { createBuffer, readBuffers, uploadBuffer } from "../gpu/buffers.ts";
import { checkCompleted, maxStepsPerDispatch } from "../gpu/loop_budget.ts";
import { type GaussianRbmConfig, planGaussianRbm, RBM_GIBBS_STREAM, type RbmPlan } from "./gaussian_rbm.ts";
import { gaussianRbmReference, initialRbmState, totalSeeds } from "./gaussian_rbm_reference.ts";
import {
  encodeGaussianRbm,
  GAUSSIAN_RBM_FIXED_ITERATIONS,
  GAUSSIAN_RBM_KERNEL,
  GAUSSIAN_RBM_MAX_UNITS,
  GAUSSIAN_RBM_SNAPSHOT_STRIDE,
  GAUSSIAN_RBM_STATE_STRIDE,
  gaussianRbmIterationsPerEpoch,
  packPaddedRows,
  unpackPaddedRows,
} from "../../kernels/dyson_gaussian_rbm.ts";

/** Result of {@linkcode runGaussianRbm}; seed index = setting * seeds + member. */
export interface GaussianRbmResult {
  /** The validated plan (sizes, settings, K^-1). */
  plan: RbmPlan;
  /** Final W per seed, [seeds total, N_h N_v]. */
  weights: Float64Array | Float32Array;
  /** Final mu per seed, [seeds total, N_v]. */
  mu: Float64Array | Float32Array;
  /** Snapshots [seeds total, slots, N_h N_v + N_v] (W then mu), slot i after i saveInterval epochs. */
  snapshots: Float64Array | Float32Array;
  /** The epoch count of each snapshot slot. */
  snapshotEpochs: number[];
  /** 0 for a healthy seed, else the epoch count at which it went non-finite. */
  failedAt: Uint32Array;
  /** Final persistent chains, [total chains, N_v]. */
  chains: Float64Array | Float32Array;
  /** Dispatches used (0 on the reference backend). */
  dispatches: number;
  /** Epochs per dispatch (0 on the reference backend). */
  epochsPerDispatch: number;
}

/** Completed-epoch counters are read back and checked every this many dispatches. */
const CHECK_EVERY = 64;

/**
 * Trains every seed of every setting.
 *
 * @param backend webgpu (fused kernel, N_v, N_h <= 12) or reference (float64, any size).
 * @param config Sizes, target, settings, seeds, epochs.
 * @returns Final weights, snapshots, failures.
 * @throws {RangeError} On a bad config or sizes past 12 on webgpu.
 * @throws {IncompleteDispatchError} If the adapter stopped a dispatch early.
 */
export async function runGaussianRbm(
  backend: Backend,
  config: GaussianRbmConfig,
): Promise<GaussianRbmResult> {
  const plan = planGaussianRbm(config);
  const snapshotEpochs = Array.from({ length: plan.slots }, (_, i) => i * plan.saveInterval);
  if (!(backend instanceof WebGpuBackend)) {
    const state = initialRbmState(plan);
    gaussianRbmReference(plan, state, 0, plan.epochs);
    return {
      plan,
      weights: state.weights,
      mu: state.mu,
      snapshots: state.snapshots,
      snapshotEpochs,
      failedAt: state.failedAt,
      chains: state.chains,
      dispatches: 0,
      epochsPerDispatch: 0,
    };
  }
  const { visible: nv, hidden: nh } = plan;
  if (nv > GAUSSIAN_RBM_MAX_UNITS || nh > GAUSSIAN_RBM_MAX_UNITS) {
    throw new RangeError(
      `Cannot train the Gaussian RBM on webgpu: ${nv} visible and ${nh} hidden units, the kernel holds at most ` +
        `${GAUSSIAN_RBM_MAX_UNITS} each (use the reference backend for larger ones)`,
    );
  }
  const gpu = backend.gpu, rec = backend.recorder, seeds = totalSeeds(plan);
  const maxBatch = Math.max(...plan.settings.map((s) => s.batchSize));
  const cap = maxStepsPerDispatch(
    gpu,
    gaussianRbmIterationsPerEpoch(maxBatch, plan.gibbsSteps, nv, nh),
    GAUSSIAN_RBM_FIXED_ITERATIONS,
  );
  const perDispatch = Math.min(config.epochsPerDispatch ?? cap, cap, plan.epochs);
  if (!Number.isInteger(perDispatch) || perDispatch < 1) {
    throw new RangeError(`Cannot train the Gaussian RBM: epochsPerDispatch is ${perDispatch}, must be >= 1`);
  }
  const reference = initialRbmState(plan); // initial W, mu and slot 0, laid out below
  const settingWords = new ArrayBuffer(plan.settings.length * 32), view = new DataView(settingWords);
  plan.settings.forEach((s, i) => {
    view.setFloat32(i * 32, s.learningRate, true);
    view.setFloat32(i * 32 + 4, s.l2, true);
    view.setFloat32(i * 32 + 8, s.momentum, true);
    view.setUint32(i * 32 + 12, { frozen: 0, global: 1, local: 2 }[s.muMode], true);
    view.setUint32(i * 32 + 16, s.batchSize, true);
    view.setUint32(i * 32 + 20, plan.chainOffsets[i], true);
    view.setUint32(i * 32 + 24, s.seed, true);
  });
  const kinv = new Float32Array(144);
  packPaddedRows(kinv, 0, plan.targetInverse, nv, nv);
  const stateInit = new Float32Array(seeds * GAUSSIAN_RBM_STATE_STRIDE * 4);
  const snapInit = new Float32Array(seeds * plan.slots * GAUSSIAN_RBM_SNAPSHOT_STRIDE * 4);
  for (let seed = 0; seed < seeds; seed++) {
    const base = seed * GAUSSIAN_RBM_STATE_STRIDE * 4, w = reference.weights.subarray(seed * nh * nv);
    packPaddedRows(stateInit, base, w, nh, nv);
    stateInit.fill(1, base + 288, base + 300); // mu: padded lanes 1 (their 1/mu is masked to 0)
    stateInit.fill(plan.mu0, base + 288, base + 288 + nv);
    stateInit.set(plan.eta, base + 312);
    const snap = seed * plan.slots * GAUSSIAN_RBM_SNAPSHOT_STRIDE * 4;
    packPaddedRows(snapInit, snap, w, nh, nv);
    snapInit.fill(plan.mu0, snap + 144, snap + 144 + nv);
  }
  const chainInit = new Float32Array(plan.totalChains * 12);
  for (let c = 0; c < plan.totalChains; c++) chainInit.fill(1, 12 * c, 12 * c + nv);
  const buffers = {
    settings: uploadBuffer(gpu, new Uint32Array(settingWords), "rbm settings"),
    kinv: uploadBuffer(gpu, kinv, "rbm K^-1"),
    state: uploadBuffer(gpu, stateInit, "rbm state"),
    chains: uploadBuffer(gpu, chainInit, "rbm chains"),
    snapshots: uploadBuffer(gpu, snapInit, "rbm snapshots"),
    failed: createBuffer(gpu, seeds * 4, "rbm failed"),
    completed: createBuffer(
      gpu,
      Math.min(CHECK_EVERY, Math.ceil(plan.epochs / perDispatch)) * seeds * 4,
      "rbm done",
    ),
  };
  const chunks = Math.ceil(plan.epochs / perDispatch);
  try {
    for (let group = 0; group < chunks; group += CHECK_EVERY) {
      const end = Math.min(chunks, group + CHECK_EVERY);
      for (let chunk = group; chunk < end; chunk++) {
        const epochOffset = chunk * perDispatch;
        await encodeGaussianRbm(rec, {
          ...buffers,
          visible: nv,
          hidden: nh,
          seedsPerSetting: plan.seeds,
          seeds,
          epochs: Math.min(perDispatch, plan.epochs - epochOffset),
          epochOffset,
          gibbsSteps: plan.gibbsSteps,
          blocksPerDraw: plan.blocksPerDraw,
          saveInterval: plan.saveInterval,
          slots: plan.slots,
          chunk: chunk - group,
          stream: RBM_GIBBS_STREAM,
          sigma: plan.sigma,
        });
      }
      rec.flush();
      const [done] = await readBuffers(gpu, [{
        buffer: buffers.completed,
        byteLength: (end - group) * seeds * 4,
      }]);
      const counts = new Uint32Array(done);
      for (let chunk = group; chunk < end; chunk++) {
        const expected = Math.min(perDispatch, plan.epochs - chunk * perDispatch);
        checkCompleted(
          GAUSSIAN_RBM_KERNEL.label,
          counts.subarray((chunk - group) * seeds, (chunk - group + 1) * seeds),
          expected,
        );
      }
    }
    const [stateBytes, chainBytes, snapBytes, failedBytes] = await readBuffers(gpu, [
      { buffer: buffers.state, byteLength: stateInit.byteLength },
      { buffer: buffers.chains, byteLength: chainInit.byteLength },
      { buffer: buffers.snapshots, byteLength: snapInit.byteLength },
      { buffer: buffers.failed, byteLength: seeds * 4 },
    ]);
    const state = new Float32Array(stateBytes), chainsPadded = new Float32Array(chainBytes);
    const snapsPadded = new Float32Array(snapBytes);
    const weights = new Float32Array(seeds * nh * nv), mu = new Float32Array(seeds * nv);
    const snapStride = nh * nv + nv, snapshots = new Float32Array(seeds * plan.slots * snapStride);
    for (let seed = 0; seed < seeds; seed++) {
      const base = seed * GAUSSIAN_RBM_STATE_STRIDE * 4;
      weights.set(unpackPaddedRows(state, base, nh, nv), seed * nh * nv);
      mu.set(state.subarray(base + 288, base + 288 + nv), seed * nv);
      for (let slot = 0; slot < plan.slots; slot++) {
        const from = (seed * plan.slots + slot) * GAUSSIAN_RBM_SNAPSHOT_STRIDE * 4;
        const to = (seed * plan.slots + slot) * snapStride;
        snapshots.set(unpackPaddedRows(snapsPadded, from, nh, nv), to);
        snapshots.set(snapsPadded.subarray(from + 144, from + 144 + nv), to + nh * nv);
      }
    }
    return {
      plan,
      weights,
      mu,
      snapshots,
      snapshotEpochs,
      failedAt: new Uint32Array(failedBytes),
      chains: unpackPaddedRows(chainsPadded, 0, plan.totalChains, nv),
      dispatches: chunks,
      epochsPerDispatch: perDispatch,
    };
  } finally {
    for (const b of Object.values(buffers)) b.destroy();
  }
}
