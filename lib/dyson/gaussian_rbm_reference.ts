/**
 * float64 reference of the fused Gaussian-RBM trainer (kernels/dyson/dyson_gaussian_rbm.wgsl):
 * the same Philox draws, epoch by epoch, one seed at a time (it is also the benchmark's
 * "one seed at a time in plain TypeScript" baseline).
 *
 * One epoch of seed (setting s, member m), spec seed001 B.2:
 * 1. each of the |B| persistent chains: h ~ p(h|v), then k times {v ~ p(v|h), h ~ p(h|v)};
 *    the last h is never used, so it is not drawn; the chain keeps the last v.
 * 2. C = (1/|B|) sum_b v_b v_b^T, vbar = (1/|B|) sum_b v_b.
 * 3. dW = sigma^2 W (K^-1 - C) - eta vbar^T (positive phase exact; the original omits sigma^2
 *    in it, the same at sigma = 1); dmu_i = -mu_i (K^-1_ii - C_ii) (local), its mean over
 *    sites (global), or 0 (frozen).
 * 4. m <- beta m + (1 - beta) dW; W <- W + alpha m - alpha l2 W; mu likewise without l2.
 * 5. A non-finite W or mu marks the seed failed at this epoch (failedAt = epoch + 1); a failed
 *    seed is not updated again, the others go on.
 * 6. After epoch t, when (t + 1) % saveInterval == 0, W and mu go to snapshot slot (t + 1) / saveInterval.
 *
 * @module
 */
import { gibbsNormals, initialRbmWeights, type RbmPlan } from "./gaussian_rbm.ts";

/** The training state of every seed of a plan (float64). */
export interface RbmState {
  /** W per seed, [seeds total, N_h N_v]. */
  weights: Float64Array;
  /** Momentum of W. */
  weightMomentum: Float64Array;
  /** mu per seed, [seeds total, N_v]. */
  mu: Float64Array;
  /** Momentum of mu. */
  muMomentum: Float64Array;
  /** Persistent chains, [total chains, N_v]. */
  chains: Float64Array;
  /** 0 while healthy, else the epoch count at which W or mu became non-finite. */
  failedAt: Uint32Array;
  /** Snapshots [seeds total, slots, N_h N_v + N_v]: W then mu. */
  snapshots: Float64Array;
}

/** Total seeds (settings x seeds per setting); seed index = setting * seeds + member. */
export function totalSeeds(plan: RbmPlan): number {
  return plan.settings.length * plan.seeds;
}

/**
 * The initial state: W from Philox (or the shared initial weights), mu = mu0, chains at 1,
 * snapshot slot 0 holding the initial W and mu.
 *
 * @param plan The plan.
 * @returns The state.
 */
export function initialRbmState(plan: RbmPlan): RbmState {
  const { visible: nv, hidden: nh } = plan, n = totalSeeds(plan), snap = nh * nv + nv;
  const state: RbmState = {
    weights: new Float64Array(n * nh * nv),
    weightMomentum: new Float64Array(n * nh * nv),
    mu: new Float64Array(n * nv).fill(plan.mu0),
    muMomentum: new Float64Array(n * nv),
    chains: new Float64Array(plan.totalChains * nv).fill(1),
    failedAt: new Uint32Array(n),
    snapshots: new Float64Array(n * plan.slots * snap),
  };
  plan.settings.forEach((setting, s) => {
    for (let m = 0; m < plan.seeds; m++) {
      const seed = s * plan.seeds + m;
      state.weights.set(initialRbmWeights(plan, setting.seed, m), seed * nh * nv);
      state.snapshots.set(
        state.weights.subarray(seed * nh * nv, (seed + 1) * nh * nv),
        seed * plan.slots * snap,
      );
      state.snapshots.fill(plan.mu0, seed * plan.slots * snap + nh * nv, seed * plan.slots * snap + snap);
    }
  });
  return state;
}

/**
 * Runs epochs [epochOffset, epochOffset + epochs) of one seed in place.
 *
 * @param plan The plan.
 * @param state The state of all seeds.
 * @param seed Seed index (setting * seeds + member).
 * @param epochOffset First global epoch.
 * @param epochs Epochs to run.
 */
export function rbmSeedReference(
  plan: RbmPlan,
  state: RbmState,
  seed: number,
  epochOffset: number,
  epochs: number,
): void {
  const { visible: nv, hidden: nh, gibbsSteps: k, sigma } = plan;
  const s = Math.floor(seed / plan.seeds), member = seed % plan.seeds, setting = plan.settings[s];
  const B = setting.batchSize, s2 = sigma * sigma, kinv = plan.targetInverse, eta = plan.eta;
  const w = state.weights.subarray(seed * nh * nv, (seed + 1) * nh * nv);
  const mw = state.weightMomentum.subarray(seed * nh * nv, (seed + 1) * nh * nv);
  const mu = state.mu.subarray(seed * nv, (seed + 1) * nv);
  const mmu = state.muMomentum.subarray(seed * nv, (seed + 1) * nv);
  const snap = nh * nv + nv;
  const h = new Float64Array(nh), c = new Float64Array(nv * nv), vbar = new Float64Array(nv);
  const dmu = new Float64Array(nv);
  for (let t = epochOffset; t < epochOffset + epochs; t++) {
    if (state.failedAt[seed] !== 0) return;
    c.fill(0);
    vbar.fill(0);
    for (let b = 0; b < B; b++) {
      const chain = plan.chainOffsets[s] + member * B + b;
      const v = state.chains.subarray(chain * nv, (chain + 1) * nv);
      for (let g = 0; g < k; g++) {
        const zh = gibbsNormals(plan, setting.seed, member, t, b, 2 * g, nh);
        for (let r = 0; r < nh; r++) { // h ~ N(sigma^2 W v + eta, sigma^2)
          let dot = 0;
          for (let j = 0; j < nv; j++) dot += w[r * nv + j] * v[j];
          h[r] = s2 * dot + eta[r] + sigma * zh[r];
        }
        const zv = gibbsNormals(plan, setting.seed, member, t, b, 2 * g + 1, nv);
        for (let j = 0; j < nv; j++) { // v_j ~ N((W^T h)_j / mu_j^2, 1 / mu_j^2)
          let dot = 0;
          for (let r = 0; r < nh; r++) dot += w[r * nv + j] * h[r];
          v[j] = dot / (mu[j] * mu[j]) + zv[j] / mu[j];
        }
      }
      for (let i = 0; i < nv; i++) {
        vbar[i] += v[i] / B;
        for (let j = 0; j < nv; j++) c[i * nv + j] += v[i] * v[j] / B;
      }
    }
    const { learningRate: lr, momentum: beta, l2 } = setting;
    for (let r = 0; r < nh; r++) {
      const row = w.slice(r * nv, (r + 1) * nv);
      for (let j = 0; j < nv; j++) {
        let dot = 0; // (W (K^-1 - C))_rj
        for (let i = 0; i < nv; i++) dot += row[i] * (kinv[i * nv + j] - c[i * nv + j]);
        const dw = s2 * dot - eta[r] * vbar[j];
        const e = r * nv + j;
        mw[e] = beta * mw[e] + (1 - beta) * dw;
        w[e] = row[j] + lr * mw[e] - lr * l2 * row[j];
      }
    }
    if (setting.muMode !== "frozen") {
      let mean = 0;
      for (let i = 0; i < nv; i++) {
        dmu[i] = -mu[i] * (kinv[i * nv + i] - c[i * nv + i]);
        mean += dmu[i] / nv;
      }
      for (let i = 0; i < nv; i++) {
        mmu[i] = beta * mmu[i] + (1 - beta) * (setting.muMode === "global" ? mean : dmu[i]);
        mu[i] += lr * mmu[i];
      }
    }
    if (!w.every(Number.isFinite) || !mu.every(Number.isFinite)) {
      state.failedAt[seed] = t + 1;
      return;
    }
    if ((t + 1) % plan.saveInterval === 0) {
      const slot = (t + 1) / plan.saveInterval;
      if (slot < plan.slots) {
        const at = (seed * plan.slots + slot) * snap;
        state.snapshots.set(w, at);
        state.snapshots.set(mu, at + nh * nv);
      }
    }
  }
}

/**
 * Runs epochs [epochOffset, epochOffset + epochs) of every seed in place.
 *
 * @param plan The plan.
 * @param state The state.
 * @param epochOffset First global epoch.
 * @param epochs Epochs to run.
 */
export function gaussianRbmReference(
  plan: RbmPlan,
  state: RbmState,
  epochOffset: number,
  epochs: number,
): void {
  for (let seed = 0; seed < totalSeeds(plan); seed++) {
    rbmSeedReference(plan, state, seed, epochOffset, epochs);
  }
}
