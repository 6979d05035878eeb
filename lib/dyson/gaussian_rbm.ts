/**
 * The Gaussian-Gaussian "scalar field" RBM (spec seed001 B.2): configuration, Philox layout,
 * initialisation and both conditionals in float64.
 *
 * Visible phi (N_v), hidden h (N_h), weights W (N_h x N_v), per-site mass mu, hidden bias eta,
 * hidden width sigma. p(h | phi) = N(sigma^2 W phi + eta, sigma^2 I);
 * p(phi_i | h) = N((W^T h)_i / mu_i^2, 1 / mu_i^2); the marginal kernel is
 * K_RBM = diag(mu^2) - sigma^2 W^T W.
 *
 * Randomness (DESIGN.md section 4), per setting key0 = the setting's seed:
 * - W init: W_rc = initStd z, z = element r N_v + c of key (key0, RBM_INIT_STREAM), step 0, index member.
 * - Gibbs draws: key (key0, RBM_GIBBS_STREAM), counter (word0, epoch, member, 0) with
 *   word0 = (chain 2k + draw) blocksPerDraw + block, draw 2g for the g-th hidden sample and
 *   2g + 1 for the g-th visible sample, blocksPerDraw = ceil(max(N_v, N_h) / 4), unit u in
 *   lane u % 4 of block floor(u / 4) (Box-Muller pairs as in Backend.random).
 *
 * @module
 */
import { normalPairFromU32, philox4x32_10, PhiloxStream } from "../rng/philox.ts";
import { inverseKernel } from "./free_field.ts";

/** Philox stream id of the weight initialisation. */
export const RBM_INIT_STREAM = 0xd150;
/** Philox stream id of the Gibbs sampler. */
export const RBM_GIBBS_STREAM = 0xd151;

/** How mu is trained: frozen (the paper), one global value, or per site. */
export type MuMode = "frozen" | "global" | "local";

/** One setting of a sweep (all its seeds share it). */
export interface RbmSetting {
  /** Learning rate alpha. */
  learningRate: number;
  /** Persistent chains |B| (the minibatch of the negative phase). */
  batchSize: number;
  /** Momentum beta in m <- beta m + (1 - beta) dW (0 by default: plain SGD). */
  momentum?: number;
  /** l2 in W <- W + alpha m - alpha l2 W (0 by default). */
  l2?: number;
  /** mu training (frozen by default). */
  muMode?: MuMode;
  /** Philox key0 of this setting (default: config seed + setting index). */
  seed?: number;
}

/** Configuration of a Gaussian-RBM ensemble run. */
export interface GaussianRbmConfig {
  /** N_v. */
  visible: number;
  /** N_h. */
  hidden: number;
  /** Target kernel K (row-major N_v x N_v, symmetric positive definite), e.g. freeFieldKernel(10, 2). */
  targetKernel: ArrayLike<number>;
  /** The settings of the sweep. */
  settings: RbmSetting[];
  /** Seeds (ensemble members) per setting. */
  seeds: number;
  /** Parameter updates ("epochs") per seed. */
  epochs: number;
  /** Gibbs steps k per epoch (3 by default). */
  gibbsSteps?: number;
  /** Snapshot every this many epochs (default: epochs); slot 0 is the initial state. */
  saveInterval?: number;
  /** Initial mu, uniform (3 by default). */
  mu0?: number;
  /** Hidden width sigma (1 by default). */
  sigma?: number;
  /** Std of the initial weights (0.1 by default). */
  initStd?: number;
  /** Initial weights shared by every seed (row-major N_h x N_v) instead of random ones. */
  initialWeights?: ArrayLike<number>;
  /** Fixed hidden bias eta (N_h), zero by default. */
  eta?: ArrayLike<number>;
  /** Base seed (default key0 of setting s is seed + s). */
  seed: number;
  /** Epochs per dispatch on webgpu (default and cap: the adapter's loop budget). */
  epochsPerDispatch?: number;
}

/** A validated config with every default filled in. */
export interface RbmPlan {
  visible: number;
  hidden: number;
  seeds: number;
  epochs: number;
  gibbsSteps: number;
  saveInterval: number;
  slots: number;
  sigma: number;
  mu0: number;
  initStd: number;
  blocksPerDraw: number;
  targetInverse: Float64Array;
  eta: Float64Array;
  settings: Required<RbmSetting>[];
  /** First chain of each setting in the flat chain array; chains of member m follow at + m B. */
  chainOffsets: number[];
  totalChains: number;
  initialWeights?: Float64Array;
}

function fail(message: string): never {
  throw new RangeError(`Cannot train the Gaussian RBM: ${message}`);
}

function integer(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) fail(`${name} is ${value}, must be an integer >= ${min}`);
}

/**
 * Validates a config and fills in defaults.
 *
 * @param config The config.
 * @returns The plan (with K^-1).
 * @throws {RangeError} On any bad size, rate or array length.
 */
export function planGaussianRbm(config: GaussianRbmConfig): RbmPlan {
  const { visible, hidden, seeds, epochs } = config;
  integer("visible", visible, 1);
  integer("hidden", hidden, 1);
  integer("seeds", seeds, 1);
  integer("epochs", epochs, 1);
  const gibbsSteps = config.gibbsSteps ?? 3;
  integer("gibbsSteps", gibbsSteps, 1);
  const saveInterval = config.saveInterval ?? epochs;
  integer("saveInterval", saveInterval, 1);
  if (config.targetKernel.length !== visible * visible) {
    fail(`targetKernel has ${config.targetKernel.length} values, need visible^2 = ${visible * visible}`);
  }
  if (config.settings.length === 0) fail("settings is empty");
  const sigma = config.sigma ?? 1, mu0 = config.mu0 ?? 3, initStd = config.initStd ?? 0.1;
  for (const [name, v] of [["sigma", sigma], ["mu0", mu0]] as const) {
    if (!(v > 0 && Number.isFinite(v))) fail(`${name} is ${v}, must be finite and > 0`);
  }
  if (!(initStd >= 0)) fail(`initStd is ${initStd}, must be >= 0`);
  if (config.initialWeights && config.initialWeights.length !== hidden * visible) {
    fail(
      `initialWeights has ${config.initialWeights.length} values, need hidden * visible = ${
        hidden * visible
      }`,
    );
  }
  const eta = Float64Array.from(config.eta ?? new Array(hidden).fill(0));
  if (eta.length !== hidden) fail(`eta has ${eta.length} values, need hidden = ${hidden}`);
  const chainOffsets: number[] = [];
  let totalChains = 0;
  const settings = config.settings.map((s, i) => {
    integer(`settings[${i}].batchSize`, s.batchSize, 1);
    if (!Number.isFinite(s.learningRate)) fail(`settings[${i}].learningRate is ${s.learningRate}`);
    const momentum = s.momentum ?? 0, l2 = s.l2 ?? 0;
    if (!(momentum >= 0 && momentum < 1)) fail(`settings[${i}].momentum is ${momentum}, must be in [0, 1)`);
    if (!Number.isFinite(l2)) fail(`settings[${i}].l2 is ${l2}`);
    const muMode = s.muMode ?? "frozen";
    if (!["frozen", "global", "local"].includes(muMode)) fail(`settings[${i}].muMode is ${muMode}`);
    const seed = s.seed ?? config.seed + i;
    integer(`settings[${i}].seed`, seed, 0);
    chainOffsets.push(totalChains);
    totalChains += seeds * s.batchSize;
    return { learningRate: s.learningRate, batchSize: s.batchSize, momentum, l2, muMode, seed: seed >>> 0 };
  });
  return {
    visible,
    hidden,
    seeds,
    epochs,
    gibbsSteps,
    saveInterval,
    slots: Math.floor(epochs / saveInterval) + 1,
    sigma,
    mu0,
    initStd,
    blocksPerDraw: Math.ceil(Math.max(visible, hidden) / 4),
    targetInverse: inverseKernel(config.targetKernel, visible),
    eta,
    settings,
    chainOffsets,
    totalChains,
    initialWeights: config.initialWeights ? Float64Array.from(config.initialWeights) : undefined,
  };
}

/**
 * The initial weights of member `member` of a setting (float32-rounded so that both backends
 * start from the same values).
 *
 * @param plan The plan.
 * @param settingSeed The setting's key0.
 * @param member Member index.
 * @returns W, row-major N_h x N_v.
 */
export function initialRbmWeights(plan: RbmPlan, settingSeed: number, member: number): Float64Array {
  if (plan.initialWeights) return Float64Array.from(Float32Array.from(plan.initialWeights));
  const rng = new PhiloxStream(settingSeed, RBM_INIT_STREAM);
  const w = Float64Array.from(
    { length: plan.hidden * plan.visible },
    (_, e) => plan.initStd * rng.normal(member, 0, e),
  );
  return Float64Array.from(Float32Array.from(w));
}

/**
 * The standard normals of one Gibbs draw (see the module doc), float64 Box-Muller.
 *
 * @returns `units` normals.
 */
export function gibbsNormals(
  plan: Pick<RbmPlan, "gibbsSteps" | "blocksPerDraw">,
  settingSeed: number,
  member: number,
  epoch: number,
  chain: number,
  draw: number,
  units: number,
): Float64Array {
  const z = new Float64Array(units);
  const base = (chain * 2 * plan.gibbsSteps + draw) * plan.blocksPerDraw;
  for (let b = 0; 4 * b < units; b++) {
    const w = philox4x32_10(settingSeed, RBM_GIBBS_STREAM, base + b, epoch, member, 0);
    const [z0, z1] = normalPairFromU32(w[0], w[1]);
    const [z2, z3] = normalPairFromU32(w[2], w[3]);
    [z0, z1, z2, z3].forEach((v, lane) => {
      if (4 * b + lane < units) z[4 * b + lane] = v;
    });
  }
  return z;
}

/** Parameters the conditionals read. */
export interface RbmParameters {
  visible: number;
  hidden: number;
  /** W, row-major N_h x N_v. */
  weights: ArrayLike<number>;
  /** mu (N_v). */
  mu: ArrayLike<number>;
  /** eta (N_h). */
  eta: ArrayLike<number>;
  sigma: number;
}

/**
 * The mean sigma^2 W phi + eta of p(h | phi) (its covariance is sigma^2 I).
 *
 * @param p Parameters.
 * @param phi Visible state.
 * @returns The mean (N_h).
 */
export function hiddenMean(p: RbmParameters, phi: ArrayLike<number>): Float64Array {
  const s2 = p.sigma * p.sigma;
  return Float64Array.from({ length: p.hidden }, (_, r) => {
    let dot = 0;
    for (let c = 0; c < p.visible; c++) dot += p.weights[r * p.visible + c] * phi[c];
    return s2 * dot + p.eta[r];
  });
}

/**
 * The mean (W^T h)_i / mu_i^2 of p(phi | h) (its covariance is diag(1 / mu^2)).
 *
 * @param p Parameters.
 * @param h Hidden state.
 * @returns The mean (N_v).
 */
export function visibleMean(p: RbmParameters, h: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: p.visible }, (_, c) => {
    let dot = 0;
    for (let r = 0; r < p.hidden; r++) dot += p.weights[r * p.visible + c] * h[r];
    return dot / (p.mu[c] * p.mu[c]);
  });
}

/**
 * Draws h ~ p(h | phi) from the given standard normals.
 *
 * @returns h = mean + sigma z.
 */
export function sampleHidden(p: RbmParameters, phi: ArrayLike<number>, z: ArrayLike<number>): Float64Array {
  return hiddenMean(p, phi).map((m, r) => m + p.sigma * z[r]);
}

/**
 * Draws phi ~ p(phi | h) from the given standard normals.
 *
 * @returns phi = mean + z / mu.
 */
export function sampleVisible(p: RbmParameters, h: ArrayLike<number>, z: ArrayLike<number>): Float64Array {
  return visibleMean(p, h).map((m, c) => m + z[c] / p.mu[c]);
}
