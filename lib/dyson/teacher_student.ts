/**
 * The linear teacher-student ensembles of the Dyson line (spec seed001 B.3), 2x2 as in the
 * paper and n x n in general: configuration, shared data and the Philox layout.
 *
 * Student W (n x n) learns the teacher W_T (2 I by default) from n_samples = batches |B|
 * inputs x ~ N(0, I_n), drawn once and shared by every seed (and every setting: settings with
 * fewer samples use a prefix), with per-sample symmetric noise a_s fixed for the whole run:
 * m ~ N(0, eps^2) (n x n), a = tril(m) + tril(m, -1)^T with the diagonal times sqrt 2 (GOE-like).
 * Minibatch j of every epoch is samples j|B| .. (j+1)|B| - 1 (fixed order), and one step is
 * W <- W + alpha [(W_T - W) Sigma_j + mean_{s in j} a_s], Sigma_j = mean_{s in j} x_s x_s^T.
 *
 * Randomness (DESIGN.md section 4):
 * - x_s: key (dataSeed, TS_DATA_STREAM), counter (element / 4, s, 0, 0), lane element % 4.
 * - a_s of member m: key (setting seed, TS_NOISE_STREAM), counter (e / 4, s, m, 0), m_e for
 *   e = i n + j, row-major.
 * - initial W of member m: initStd z, key (setting seed, TS_INIT_STREAM), step 0, index m.
 *
 * @module
 */
import { PhiloxStream } from "../rng/philox.ts";

/** Philox stream of the shared inputs. */
export const TS_DATA_STREAM = 0xd1a0;
/** Philox stream of the per-sample noise matrices. */
export const TS_NOISE_STREAM = 0xd1a1;
/** Philox stream of the initial student weights. */
export const TS_INIT_STREAM = 0xd1a2;

/** One setting of a teacher-student sweep. */
export interface TsSetting {
  /** Learning rate alpha. */
  learningRate: number;
  /** Minibatch size |B|. */
  batchSize: number;
  /** Noise strength eps (the injected noise variance is A = eps^2). */
  noise: number;
  /** Philox key0 of this setting (default: config seed + setting index). */
  seed?: number;
}

/** Configuration of a teacher-student ensemble run. */
export interface TeacherStudentEnsembleConfig {
  /** Matrix size n (2 in the paper). */
  n?: number;
  /** Teacher W_T, row-major n x n (default 2 I: the paper's O diag(2, 2) O^T). */
  teacher?: ArrayLike<number>;
  /** Settings of the sweep. */
  settings: TsSetting[];
  /** Seeds per setting. */
  seeds: number;
  /** Epochs (10 in the paper). */
  epochs?: number;
  /** Minibatches per epoch (500 in the paper). */
  batchesPerEpoch?: number;
  /** Snapshot every this many epochs (2 in the paper); slot 0 is the initial W. */
  saveEvery?: number;
  /** Std of the initial student weights (0.1). */
  initStd?: number;
  /** Base seed (setting s gets seed + s unless it sets its own). */
  seed: number;
  /** Seed of the shared inputs (default: seed). */
  dataSeed?: number;
  /** Steps per dispatch on webgpu (default and cap: the loop budget). */
  stepsPerDispatch?: number;
}

/** A validated config with defaults filled in. */
export interface TsPlan {
  n: number;
  teacher: Float64Array;
  settings: Required<TsSetting>[];
  seeds: number;
  epochs: number;
  batchesPerEpoch: number;
  saveEvery: number;
  slots: number;
  initStd: number;
  dataSeed: number;
  /** Per setting: Sigma_j (float32-rounded), [batchesPerEpoch, n, n]. */
  covariances: Float64Array[];
}

function fail(message: string): never {
  throw new RangeError(`Cannot train the teacher-student ensemble: ${message}`);
}

function integer(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) fail(`${name} is ${value}, must be an integer >= ${min}`);
}

/**
 * Minibatch covariances Sigma_j = mean x x^T of the shared inputs, float32-rounded so that both
 * backends use the same values.
 *
 * @returns [batches, n, n] row-major.
 */
export function minibatchCovariances(
  n: number,
  batches: number,
  batchSize: number,
  dataSeed: number,
): Float64Array {
  const rng = new PhiloxStream(dataSeed, TS_DATA_STREAM), out = new Float64Array(batches * n * n);
  const x = new Float64Array(n);
  for (let j = 0; j < batches; j++) {
    for (let b = 0; b < batchSize; b++) {
      const sample = j * batchSize + b;
      for (let e = 0; e < n; e++) x[e] = rng.normal(0, sample, e);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < n; k++) out[(j * n + i) * n + k] += x[i] * x[k] / batchSize;
      }
    }
  }
  return Float64Array.from(Float32Array.from(out));
}

/**
 * Validates a config and fills in defaults (and the shared minibatch covariances).
 *
 * @param config The config.
 * @returns The plan.
 * @throws {RangeError} On bad sizes, rates or teacher length.
 */
export function planTeacherStudentEnsemble(config: TeacherStudentEnsembleConfig): TsPlan {
  const n = config.n ?? 2, epochs = config.epochs ?? 10, batchesPerEpoch = config.batchesPerEpoch ?? 500;
  const saveEvery = config.saveEvery ?? 2;
  integer("n", n, 1);
  integer("seeds", config.seeds, 1);
  integer("epochs", epochs, 1);
  integer("batchesPerEpoch", batchesPerEpoch, 1);
  integer("saveEvery", saveEvery, 1);
  if (config.settings.length === 0) fail("settings is empty");
  const teacher = Float64Array.from(
    config.teacher ?? Array.from({ length: n * n }, (_, e) => (e % (n + 1) === 0 ? 2 : 0)),
  );
  if (teacher.length !== n * n) fail(`teacher has ${teacher.length} values, need n^2 = ${n * n}`);
  const initStd = config.initStd ?? 0.1, dataSeed = config.dataSeed ?? config.seed;
  integer("dataSeed", dataSeed, 0);
  const settings = config.settings.map((s, i) => {
    integer(`settings[${i}].batchSize`, s.batchSize, 1);
    if (!Number.isFinite(s.learningRate)) fail(`settings[${i}].learningRate is ${s.learningRate}`);
    if (!(s.noise >= 0)) fail(`settings[${i}].noise is ${s.noise}, must be >= 0`);
    const seed = s.seed ?? config.seed + i;
    integer(`settings[${i}].seed`, seed, 0);
    return { ...s, seed };
  });
  const covariances = settings.map((s) => minibatchCovariances(n, batchesPerEpoch, s.batchSize, dataSeed));
  return {
    n,
    teacher,
    settings,
    seeds: config.seeds,
    epochs,
    batchesPerEpoch,
    saveEvery,
    slots: Math.floor(epochs / saveEvery) + 1,
    initStd,
    dataSeed,
    covariances,
  };
}

/** The initial student of member `member` (float32-rounded), row-major n x n. */
export function initialStudent(plan: TsPlan, settingSeed: number, member: number): Float64Array {
  const rng = new PhiloxStream(settingSeed, TS_INIT_STREAM);
  const w = Float64Array.from({ length: plan.n * plan.n }, (_, e) => plan.initStd * rng.normal(member, 0, e));
  return Float64Array.from(Float32Array.from(w));
}
