/**
 * The config of the Gaussian-RBM figure scripts (scripts/dyson_fig1..8_rbm_*.ts): the scale, the
 * sweeps, the free field; its command-line options, the quick, paper and test scales, and the run
 * of a config's settings as ensembles.
 *
 * @module
 */
import { getBackend } from "../backend/select.ts";
import type { BackendChoice } from "../backend/select.ts";
import { parseNumberList } from "../cli.ts";
import { type RbmEnsembles, type RbmSweepSetting, rbmSweepSettings, runRbmEnsembles } from "./rbm_sweep.ts";
import { type CompleteFigureScript, familyFigureScript, type FigureScriptSpec } from "./figure_family.ts";

/**
 * Config of an RBM figure. A figure runs the |B| sweep (`batchSizes` at `learningRate`) when its
 * config has `batchSizes`, then the alpha sweep (`learningRates` at `batchSize`) when it has
 * `learningRates`; setting i of that list gets Philox key seed + i.
 */
export interface RbmFigureConfig extends Record<string, unknown> {
  /** Seeds per setting (7500 in the paper). */
  seeds: number;
  /** Epochs per setting when trainingTime is 0 (100000 in the paper). */
  epochs: number;
  /** When > 0: each setting trains ceil(trainingTime / alpha) epochs instead. */
  trainingTime: number;
  /** "random" (W ~ N(0, 0.1^2), the paper) or "fixedPoint" (W0 = sqrt(mu^2 - K)). */
  init: "random" | "fixedPoint";
  /** Jackknife blocks of the density fits (0: the fits' covariance errors). */
  fitJackknifeBlocks: number;
  /** Batch sizes |B| of the |B| sweep, comma-separated. */
  batchSizes?: string;
  /** Learning rate alpha of the |B| sweep. */
  learningRate?: number;
  /** Learning rates alpha of the alpha sweep, comma-separated. */
  learningRates?: string;
  /** Batch size |B| of the alpha sweep. */
  batchSize?: number;
  /** Lattice sites N of the free field (visible = hidden units). */
  sites: number;
  /** Mass m of the free field. */
  mass: number;
  /** mu (frozen): the fixed point is mu^2 - kappa. */
  mu: number;
  /**
   * The only seed: the RBM has no sampled dataset (its positive phase W K^-1 is exact), so nothing
   * random is shared between seeds; each seed's start (random W) and Gibbs draws are its own.
   * Setting i of ensemble k gets Philox key seed + k S + i (S settings).
   */
  seed: number;
  /**
   * Independent ensembles K (figures 5-8), the RBM's counterpart of the teacher-student datasets:
   * their slopes are combined with the between-ensemble spread in their error.
   */
  datasets?: number;
  backend: BackendChoice;
}

/**
 * The quick scale every RBM figure starts from: seeds start at the fixed point and each setting
 * trains alpha * epochs = 80 (about half a minute per figure on a CPU adapter); the paper's free
 * field N = 10, m = 2, mu = 3. A script adds its seeds and sweeps.
 */
export const RBM_QUICK_SCALE = {
  epochs: 0,
  trainingTime: 80,
  init: "fixedPoint",
  fitJackknifeBlocks: 0,
  sites: 10,
  mass: 2,
  mu: 3,
  seed: 1,
  backend: "auto",
} as const;

/** Independent ensembles of the scaling figures 5-8 at quick scale (one: the training dominates). */
export const RBM_QUICK_DATASETS = { datasets: 1 } as const;

/** The paper's |B| sweep: |B| in {4, 8, 16, 32, 64} at alpha = 0.1 (spec seed001 B.4). */
export const RBM_BATCH_SIZE_SWEEP = { batchSizes: "4,8,16,32,64", learningRate: 0.1 } as const;

/** The paper's alpha sweep: alpha in {0.01, 0.02, 0.04, 0.06, 0.08, 0.1} at |B| = 16 (spec seed001 B.4). */
export const RBM_LEARNING_RATE_SWEEP = {
  learningRates: "0.01,0.02,0.04,0.06,0.08,0.1",
  batchSize: 16,
} as const;

/**
 * The paper's scale: 7500 seeds x 100k epochs per setting from random W, over 5 independent
 * ensembles where a script has `datasets` (`--datasets 1`: the paper's single ensemble).
 */
export const RBM_FULL_SCALE = {
  datasets: 5,
  seeds: 7500,
  epochs: 100000,
  trainingTime: 0,
  init: "random",
  fitJackknifeBlocks: 20,
} as const;

/** A tiny scale for smoke tests (a second or two). */
export const RBM_TEST_SCALE = {
  datasets: 2,
  seeds: 24,
  epochs: 0,
  trainingTime: 4,
  init: "fixedPoint",
  fitJackknifeBlocks: 0,
} as const;

/** The command-line options of the RBM figures (figureMain adds --full, --seed, --backend). */
export const RBM_FIGURE_OPTIONS = {
  seeds: {
    type: "number" as const,
    description: "seeds per setting (the spacing histograms and density fits need >= 20)",
    integer: true,
    min: 20,
  },
  epochs: {
    type: "number" as const,
    description: "epochs per setting (when --training-time is 0)",
    integer: true,
    min: 0,
  },
  trainingTime: {
    type: "number" as const,
    description: "train each setting ceil(T / alpha) epochs (0: --epochs)",
    min: 0,
  },
  init: {
    type: "string" as const,
    description: "random (the paper) or fixedPoint",
    choices: ["random", "fixedPoint"] as const,
  },
  fitJackknifeBlocks: {
    type: "number" as const,
    description: "jackknife blocks of the density fits",
    integer: true,
    min: 2,
  },
  batchSizes: { type: "string" as const, description: "batch sizes of the |B| sweep, comma-separated" },
  learningRate: { type: "number" as const, description: "learning rate of the |B| sweep" },
  learningRates: {
    type: "string" as const,
    description: "learning rates of the alpha sweep, comma-separated",
  },
  batchSize: { type: "number" as const, description: "batch size of the alpha sweep" },
  sites: { type: "number" as const, description: "lattice sites N of the free field" },
  mass: { type: "number" as const, description: "mass m of the free field" },
  mu: { type: "number" as const, description: "mu (frozen)" },
  datasets: {
    type: "number" as const,
    description: "independent ensembles whose slopes are combined",
    integer: true,
    min: 1,
  },
};

/**
 * Completes an RBM figure script: options, `--full` and test scales from this family.
 *
 * @param spec The script's name, description, quick-scale config and figure.
 * @returns The script (see familyFigureScript).
 */
export function rbmFigureScript(
  spec: FigureScriptSpec<RbmFigureConfig>,
): CompleteFigureScript<RbmFigureConfig> {
  return familyFigureScript(
    { options: RBM_FIGURE_OPTIONS, full: RBM_FULL_SCALE, test: RBM_TEST_SCALE },
    spec,
  );
}

/**
 * The settings of a config: its |B| sweep, then its alpha sweep.
 *
 * @param config The figure's config.
 * @returns Settings in order.
 * @throws {UsageError} On a malformed list. @throws {RangeError} When a sweep misses its fixed value.
 */
export function rbmFigureSettings(config: RbmFigureConfig): RbmSweepSetting[] {
  const list = (name: string, text: string | undefined, check: { integer?: boolean; min: number }) =>
    text === undefined || text === "" ? undefined : parseNumberList(name, text, check);
  return rbmSweepSettings({
    batchSizes: list("batchSizes", config.batchSizes, { integer: true, min: 1 }),
    learningRate: config.learningRate,
    learningRates: list("learningRates", config.learningRates, { min: 0 }),
    batchSize: config.batchSize,
  });
}

/** One ensemble of a figure's settings. */
export interface RbmFigureDataset extends RbmEnsembles {
  /** Its base seed (setting i gets seed + i). */
  seed: number;
}

/**
 * Trains and analyses the settings of a figure's config on `datasets` independent ensembles (one
 * when the config has none); ensemble 0 is the single-ensemble run.
 *
 * @param config The figure's config.
 * @returns The ensembles and the backend's description.
 * @throws {RangeError} On a bad init, sweep or ensemble count.
 */
export async function runRbmFigureDatasets(
  config: RbmFigureConfig,
): Promise<{ datasets: RbmFigureDataset[]; backend: string }> {
  const backend = await getBackend(config.backend);
  if (config.init !== "random" && config.init !== "fixedPoint") {
    throw new RangeError(`Cannot run the RBM figure: init is "${config.init}", must be random or fixedPoint`);
  }
  const count = config.datasets ?? 1;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`Cannot run the RBM figure: datasets is ${count}, must be an integer >= 1`);
  }
  const settings = rbmFigureSettings(config), datasets: RbmFigureDataset[] = [];
  for (let k = 0; k < count; k++) {
    const seed = config.seed + k * settings.length;
    const r = await runRbmEnsembles(backend, settings, {
      seeds: config.seeds,
      epochs: config.epochs,
      trainingTime: config.trainingTime > 0 ? config.trainingTime : undefined,
      init: config.init,
      seed,
      sites: config.sites,
      mass: config.mass,
      mu: config.mu,
      fitJackknifeBlocks: config.fitJackknifeBlocks,
    });
    datasets.push({ ...r, seed });
  }
  return { datasets, backend: backend.description };
}

/**
 * Trains and analyses the settings of a figure's config (one ensemble: figures 1-4).
 *
 * @param config The figure's config.
 * @returns The ensembles and the backend's description.
 * @throws {RangeError} On a bad init or sweep.
 */
export async function runRbmFigureSettings(
  config: RbmFigureConfig,
): Promise<RbmEnsembles & { backend: string }> {
  const { datasets, backend } = await runRbmFigureDatasets({ ...config, datasets: 1 });
  return { ...datasets[0], backend };
}
