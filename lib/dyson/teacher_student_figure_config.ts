/**
 * The config of the 2x2 teacher-student figure scripts (scripts/dyson_fig9..14_teacher_student_*.ts): the scale,
 * the sweeps (or figure 9's settings); its command-line options, the quick, paper and test scales,
 * and the run of a config's sweeps.
 *
 * @module
 */
import { getBackend } from "../backend/select.ts";
import type { BackendChoice } from "../backend/select.ts";
import { parseNumberList, UsageError } from "../cli.ts";
import {
  runTeacherStudentSweeps,
  type TeacherStudentSettingStatistics,
  teacherStudentSweepSettings,
} from "./teacher_student_sweep.ts";
import { type CompleteFigureScript, familyFigureScript, type FigureScriptSpec } from "./figure_family.ts";

/**
 * Config of a teacher-student figure. Figures 10-14 run the noise sweep (`noises`), the learning-rate
 * sweep (`learningRates`) and the batch-size sweep (`batchSizes`), each with the other two parameters
 * at `noise`, `learningRate`, `batchSize`; setting i of that list gets Philox key seed + i. Figure 9
 * runs its `settings` at `batchSize`.
 */
export interface TeacherStudentFigureConfig extends Record<string, unknown> {
  /** Seeds per setting (3000 in the paper). */
  seeds: number;
  /** Epochs (10 in the paper). */
  epochs: number;
  /** Minibatches per epoch (500 in the paper). */
  batchesPerEpoch: number;
  /** Noise strengths eps of the noise sweep, comma-separated. */
  noises?: string;
  /** Learning rates alpha of the learning-rate sweep, comma-separated. */
  learningRates?: string;
  /** Batch sizes |B| of the batch-size sweep, comma-separated. */
  batchSizes?: string;
  /** eps where another parameter is swept. */
  noise?: number;
  /** alpha where another parameter is swept. */
  learningRate?: number;
  /** |B| where another parameter is swept (figure 9: of every setting). */
  batchSize: number;
  /** Figure 9: settings as alpha:eps pairs, comma-separated. */
  settings?: string;
  /** Noise and initial-weight seed: setting i of dataset k gets Philox key seed + k S + i (S settings). */
  seed: number;
  /** Seed of the shared inputs (the dataset): dataset k draws its inputs with dataSeed + k. */
  dataSeed: number;
  /**
   * Independent datasets K (figures 12-14): each a full ensemble with its own inputs, noise and
   * initial weights; the slopes are combined with the between-dataset spread in their error.
   */
  datasets?: number;
  backend: BackendChoice;
}

/** Quick scale: 400 seeds per setting, the paper's 10 epochs x 500 minibatches. A script adds its settings. */
export const TEACHER_STUDENT_QUICK_SCALE = {
  seeds: 400,
  epochs: 10,
  batchesPerEpoch: 500,
  seed: 1,
  dataSeed: 1,
  backend: "auto",
} as const;

/**
 * The paper's sweeps (spec seed001 B.4): eps in {0.05, ..., 0.1} at alpha = 0.1, |B| = 16; alpha in
 * {0.1, ..., 0.5} at eps = 0.1, |B| = 16; |B| in {4, ..., 64} at alpha = 0.1, eps = 0.1.
 */
export const TEACHER_STUDENT_SWEEPS = {
  noises: "0.05,0.06,0.07,0.08,0.09,0.1",
  learningRates: "0.1,0.2,0.3,0.4,0.5",
  batchSizes: "4,8,16,32,64",
  noise: 0.1,
  learningRate: 0.1,
  batchSize: 16,
} as const;

/** Independent datasets of the scaling figures 12-14 at quick scale (a few seconds each). */
export const TEACHER_STUDENT_QUICK_DATASETS = { datasets: 4 } as const;

/** The paper's scale (3000 seeds), over 5 independent datasets where a script has `datasets`. */
export const TEACHER_STUDENT_FULL_SCALE = { seeds: 3000, datasets: 5 } as const;
/** Tiny, for smoke and schema tests (under a second). */
export const TEACHER_STUDENT_TEST_SCALE = {
  seeds: 120,
  epochs: 2,
  batchesPerEpoch: 100,
  seed: 3,
  dataSeed: 3,
  datasets: 2,
} as const;

/** The command-line options of the teacher-student figures. */
export const TEACHER_STUDENT_FIGURE_OPTIONS = {
  seeds: {
    type: "number" as const,
    description: "seeds per setting (the spacing histograms and density fits need >= 20)",
    integer: true,
    min: 20,
  },
  epochs: { type: "number" as const, description: "epochs", integer: true, min: 1 },
  batchesPerEpoch: { type: "number" as const, description: "minibatches per epoch", integer: true, min: 1 },
  noises: { type: "string" as const, description: "noise strengths eps of the noise sweep, comma-separated" },
  learningRates: { type: "string" as const, description: "learning rates of the learning-rate sweep" },
  batchSizes: { type: "string" as const, description: "batch sizes of the batch-size sweep" },
  noise: { type: "number" as const, description: "eps where another parameter is swept" },
  learningRate: { type: "number" as const, description: "learning rate where another parameter is swept" },
  batchSize: {
    type: "number" as const,
    description: "batch size where another parameter is swept (figure 9: of every setting)",
  },
  settings: { type: "string" as const, description: "settings as alpha:eps pairs, comma-separated" },
  dataSeed: {
    type: "number" as const,
    description: "seed of the shared inputs (--seed draws only the noise and initial weights)",
    integer: true,
    min: 0,
    max: 2 ** 32 - 1,
  },
  datasets: {
    type: "number" as const,
    description: "independent datasets (full ensembles) whose slopes are combined",
    integer: true,
    min: 1,
  },
};

/**
 * Completes a teacher-student figure script: options, `--full` and test scales from this family.
 *
 * @param spec The script's name, description, quick-scale config and figure.
 * @returns The script (see familyFigureScript).
 */
export function teacherStudentFigureScript(
  spec: FigureScriptSpec<TeacherStudentFigureConfig>,
): CompleteFigureScript<TeacherStudentFigureConfig> {
  return familyFigureScript(
    {
      options: TEACHER_STUDENT_FIGURE_OPTIONS,
      full: TEACHER_STUDENT_FULL_SCALE,
      test: TEACHER_STUDENT_TEST_SCALE,
    },
    spec,
  );
}

function list(name: string, text: string | undefined, check: { integer?: boolean; min: number }) {
  return text === undefined || text === "" ? undefined : parseNumberList(name, text, check);
}

/** One dataset's analysed sweeps. */
export interface TeacherStudentDataset {
  /** Seed of its shared inputs. */
  dataSeed: number;
  /** Its base noise and initial-weight seed (setting i gets seed + i). */
  seed: number;
  stats: TeacherStudentSettingStatistics[];
}

/**
 * Sweeps already run and analysed in this process, by everything they depend on: figures 10-14, which
 * run the same sweeps, run each dataset once in a `deno task figures` run.
 */
const analysed = new Map<string, TeacherStudentSettingStatistics[]>();

/** Forgets the sweeps run so far (tests; long-lived processes). */
export function clearTeacherStudentSweepCache(): void {
  analysed.clear();
}

/**
 * Runs and analyses the sweeps of a config on `datasets` independent datasets (figures 12-14; one
 * when the config has none): dataset k draws its inputs with dataSeed + k and its noise and initial
 * weights with seed + k S + i for setting i of S, so dataset 0 is the single-dataset run.
 *
 * @param config The figure's config.
 * @returns Per dataset its seeds and statistics per setting (order noise, learning rate, batch
 *   size), and the backend's description.
 * @throws {UsageError} On a malformed list or a sweep without its fixed values.
 */
export async function runTeacherStudentFigureDatasets(
  config: TeacherStudentFigureConfig,
): Promise<{ datasets: TeacherStudentDataset[]; backend: string }> {
  const { noise, learningRate, batchSize } = config;
  if (noise === undefined || learningRate === undefined) {
    throw new UsageError("Cannot run the teacher-student sweeps: the config needs noise and learningRate");
  }
  const settings = teacherStudentSweepSettings({
    noises: list("noises", config.noises, { min: 0 }),
    learningRates: list("learningRates", config.learningRates, { min: 0 }),
    batchSizes: list("batchSizes", config.batchSizes, { integer: true, min: 1 }),
    noise,
    learningRate,
    batchSize,
  });
  const backend = await getBackend(config.backend);
  const count = config.datasets ?? 1;
  if (!Number.isInteger(count) || count < 1) {
    throw new UsageError(
      `Cannot run the teacher-student sweeps: datasets is ${count}, must be an integer >= 1`,
    );
  }
  const datasets: TeacherStudentDataset[] = [];
  for (let k = 0; k < count; k++) {
    const options = {
      seeds: config.seeds,
      epochs: config.epochs,
      batchesPerEpoch: config.batchesPerEpoch,
      seed: config.seed + k * settings.length,
      dataSeed: config.dataSeed + k,
    };
    const key = JSON.stringify([backend.description, settings, options]);
    if (!analysed.has(key)) analysed.set(key, await runTeacherStudentSweeps(backend, settings, options));
    datasets.push({ dataSeed: options.dataSeed, seed: options.seed, stats: analysed.get(key)! });
  }
  return { datasets, backend: backend.description };
}

/**
 * Runs and analyses the sweeps of a config on its first dataset (figures 10 and 11).
 *
 * @param config The figure's config.
 * @returns Statistics per setting, in order noise, learning rate, batch size, and the backend's description.
 * @throws {UsageError} On a malformed list or a sweep without its fixed values.
 */
export async function runTeacherStudentFigureSweeps(
  config: TeacherStudentFigureConfig,
): Promise<{ stats: TeacherStudentSettingStatistics[]; backend: string }> {
  const { datasets, backend } = await runTeacherStudentFigureDatasets({ ...config, datasets: 1 });
  return { stats: datasets[0].stats, backend };
}

/**
 * Figure 9's settings: `settings` as alpha:eps pairs.
 *
 * @param config The figure's config.
 * @returns [alpha, eps] per setting.
 * @throws {UsageError} On a malformed pair.
 */
export function teacherStudentSettingPairs(config: TeacherStudentFigureConfig): [number, number][] {
  return (config.settings ?? "").split(",").filter((t) => t.trim() !== "").map((pair) => {
    const [alpha, eps, ...rest] = pair.split(":").map((t) => Number(t.trim()));
    if (rest.length > 0 || !(alpha > 0) || !(eps >= 0)) {
      throw new UsageError(
        `Cannot read --settings "${config.settings}": "${pair}" is not alpha:eps with alpha > 0`,
      );
    }
    return [alpha, eps];
  });
}

/**
 * The summary row of one analysed setting (figures 11, 13, 14).
 *
 * @param s The setting's statistics.
 * @returns Its parameters, predicted width, <S> and the 2x2-GOE fit, with errors.
 */
export function teacherStudentSettingRow(s: TeacherStudentSettingStatistics): Record<string, unknown> {
  return {
    sweep: s.sweep,
    value: s.value,
    learningRate: s.learningRate,
    batchSize: s.batchSize,
    noise: s.noise,
    predictedWidth: s.predictedWidth,
    meanSpacing: s.meanSpacing,
    meanSpacingError: s.meanSpacingError,
    sigmaFit: s.sigma,
    sigmaFitError: s.sigmaError,
    x0Fit: s.x0,
    x0FitError: s.x0Error,
  };
}
