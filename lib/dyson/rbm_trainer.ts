/**
 * Trains an ensemble of Gaussian RBMs (settings x seeds) on the free-field target: on webgpu
 * one fused dispatch advances every seed of every setting by many epochs; on the reference
 * backend the float64 loop of lib/dyson/gaussian_rbm_reference.ts runs. Results do not
 * depend on epochs per dispatch (tests/dyson_gaussian_rbm_test.ts).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { createBuffer, uploadBuffer } from "../gpu/buffers.ts";
import { destroyBuffers, planStepsPerDispatch, runFused } from "../gpu/fused_run.ts";
import { type GaussianRbmConfig, planGaussianRbm, RBM_GIBBS_STREAM, type RbmPlan } from "./gaussian_rbm.ts";
import { gaussianRbmReference, initialRbmState, totalSeeds } from "./gaussian_rbm_reference.ts";
import {
  encodeGaussianRbm,
  GAUSSIAN_RBM_FIXED_ITERATIONS,
  GAUSSIAN_RBM_KERNEL,
  GAUSSIAN_RBM_MAX_UNITS,
  gaussianRbmIterationsPerEpoch,
  gaussianRbmSettingsWords,
  packGaussianRbmState,
  packPaddedRows,
  unpackGaussianRbmState,
  unpackPaddedRows,
} from "../../kernels/dyson/dyson_gaussian_rbm.ts";

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
  if (!backend.gpuTarget) {
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
  const { gpu, recorder } = backend.gpuTarget, seeds = totalSeeds(plan);
  const maxBatch = Math.max(...plan.settings.map((s) => s.batchSize));
  const perDispatch = planStepsPerDispatch(gpu, {
    what: "the Gaussian RBM",
    iterationsPerStep: gaussianRbmIterationsPerEpoch(maxBatch, plan.gibbsSteps, nv, nh),
    fixedIterations: GAUSSIAN_RBM_FIXED_ITERATIONS,
    totalSteps: plan.epochs,
    requested: config.epochsPerDispatch,
    requestedName: "epochsPerDispatch",
  });
  const reference = initialRbmState(plan); // initial W, mu and slot 0
  const kinv = new Float32Array(144);
  packPaddedRows(kinv, 0, plan.targetInverse, nv, nv);
  const sizes = { visible: nv, hidden: nh, seeds, slots: plan.slots };
  const init = packGaussianRbmState({ ...sizes, weights: reference.weights, mu0: plan.mu0, eta: plan.eta });
  const chainInit = new Float32Array(plan.totalChains * 12);
  for (let c = 0; c < plan.totalChains; c++) chainInit.fill(1, 12 * c, 12 * c + nv);
  const buffers = {
    settings: uploadBuffer(gpu, gaussianRbmSettingsWords(plan.settings, plan.chainOffsets), "rbm settings"),
    kinv: uploadBuffer(gpu, kinv, "rbm K^-1"),
    state: uploadBuffer(gpu, init.state, "rbm state"),
    chains: uploadBuffer(gpu, chainInit, "rbm chains"),
    snapshots: uploadBuffer(gpu, init.snapshots, "rbm snapshots"),
    failed: createBuffer(gpu, seeds * 4, "rbm failed"),
  };
  try {
    const run = await runFused({
      gpu,
      recorder,
      label: GAUSSIAN_RBM_KERNEL.label,
      invocations: seeds,
      steps: plan.epochs,
      stepsPerDispatch: perDispatch,
      checkEvery: CHECK_EVERY,
      encode: (at) =>
        encodeGaussianRbm(recorder, {
          ...buffers,
          completed: at.completed,
          visible: nv,
          hidden: nh,
          seedsPerSetting: plan.seeds,
          seeds,
          epochs: at.steps,
          epochOffset: at.stepOffset,
          gibbsSteps: plan.gibbsSteps,
          blocksPerDraw: plan.blocksPerDraw,
          saveInterval: plan.saveInterval,
          slots: plan.slots,
          chunk: at.chunk,
          stream: RBM_GIBBS_STREAM,
          sigma: plan.sigma,
        }),
      readback: [
        { buffer: buffers.state, byteLength: init.state.byteLength },
        { buffer: buffers.chains, byteLength: chainInit.byteLength },
        { buffer: buffers.snapshots, byteLength: init.snapshots.byteLength },
        { buffer: buffers.failed, byteLength: seeds * 4 },
      ],
    });
    const [stateBytes, chainBytes, snapBytes, failedBytes] = run.readback;
    const { weights, mu, snapshots } = unpackGaussianRbmState(
      new Float32Array(stateBytes),
      new Float32Array(snapBytes),
      sizes,
    );
    return {
      plan,
      weights,
      mu,
      snapshots,
      snapshotEpochs,
      failedAt: new Uint32Array(failedBytes),
      chains: unpackPaddedRows(new Float32Array(chainBytes), 0, plan.totalChains, nv),
      dispatches: run.dispatches,
      epochsPerDispatch: perDispatch,
    };
  } finally {
    destroyBuffers(buffers);
  }
}
