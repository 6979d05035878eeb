/**
 * The settings of scripts/train_linear_regression.ts (a linear-regression SGD run in a run directory,
 * ./linear_regression_run_dir.ts): their defaults, their command-line options and the check of every setting
 * before any directory or compute, in the words of the command line. (What depends on the adapter, one step
 * within the loop limit, is checked by the script.)
 *
 * @module
 */
import type { BackendChoice } from "../backend/select.ts";
import { COMMON_OPTIONS, type OptionSpec, rangeText, UsageError } from "../cli.ts";
import type { LinearRegressionRunConfig } from "./linear_regression_run_dir.ts";

/** The run's settings (all recorded in config.json), with the backend to pick. */
export interface LinearRegressionTrainConfig
  extends LinearRegressionRunConfig, Record<string, number | string> {
  backend: BackendChoice;
}

/** Defaults: a few seconds on a CPU adapter. */
export const defaultConfig: LinearRegressionTrainConfig = {
  d: 64,
  walkers: 64,
  steps: 20000,
  learningRate: 0.5,
  seed: 0,
  recordEvery: 100,
  checkpointEvery: 5000,
  backend: "auto",
};

/** Most values one array of the run may hold (walkers x d, walkers x records): 2^26, 0.5 GB in float64. */
export const MAX_ARRAY_VALUES = 2 ** 26;

/** The command-line options (ranges are checked by the parser and again by {@linkcode checkConfig}). */
export const OPTIONS: Record<string, OptionSpec> = {
  d: { type: "number", default: defaultConfig.d, description: "input dimension", integer: true, min: 1 },
  walkers: {
    type: "number",
    default: defaultConfig.walkers,
    description: "independent walkers",
    integer: true,
    min: 1,
  },
  steps: {
    type: "number",
    default: defaultConfig.steps,
    description: "SGD steps per walker",
    integer: true,
    min: 1,
    max: 2 ** 32 - 1,
  },
  learningRate: {
    type: "number",
    default: defaultConfig.learningRate,
    description: "learning rate (stable < 2)",
    positive: true,
  },
  recordEvery: {
    type: "number",
    default: defaultConfig.recordEvery,
    description: "steps between error records",
    integer: true,
    min: 1,
    max: 2 ** 32 - 1,
  },
  checkpointEvery: {
    type: "number",
    default: defaultConfig.checkpointEvery,
    description: "steps between checkpoints",
    integer: true,
    min: 1,
    max: 2 ** 32 - 1,
  },
  resume: {
    type: "string",
    default: "",
    description: "continue the run in this run directory (no other setting may be given with it)",
  },
  quiet: { type: "boolean", default: false, description: "no progress output" },
  ...COMMON_OPTIONS,
  seed: { ...COMMON_OPTIONS.seed, default: defaultConfig.seed },
  out: {
    type: "string",
    default: "runs/train_linear_regression",
    description: "new run directory",
    nonEmpty: true,
  },
};

/** The command-line flag of a setting: `recordEvery` -> `--record-every`. */
export const flag = (key: string): string => `--${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;

/**
 * Checks the settings (before any directory or compute), in the words of the command line.
 *
 * @throws {UsageError} Naming the option, its value and what it must be.
 */
export function checkConfig(c: LinearRegressionTrainConfig): void {
  for (const key of ["d", "walkers", "steps", "recordEvery", "checkpointEvery", "learningRate", "seed"]) {
    const o = key === "seed" ? COMMON_OPTIONS.seed : OPTIONS[key];
    const v = c[key] as number;
    if (
      typeof v !== "number" || !Number.isFinite(v) || (o.integer && !Number.isInteger(v)) ||
      (o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max) || (o.positive && !(v > 0))
    ) {
      throw new UsageError(`Cannot train: ${flag(key)} is ${JSON.stringify(v)}, must be ${rangeText(o)}`);
    }
  }
  if (!["auto", "webgpu", "reference"].includes(c.backend)) {
    throw new UsageError(
      `Cannot train: --backend is ${JSON.stringify(c.backend)}, must be auto, webgpu or reference`,
    );
  }
  if (c.recordEvery > c.steps) {
    throw new UsageError(
      `Cannot train: --steps is ${c.steps}, less than --record-every ${c.recordEvery}: the run would record ` +
        `no error; give --steps >= ${c.recordEvery} or a smaller --record-every`,
    );
  }
  if (c.walkers * c.d > MAX_ARRAY_VALUES) {
    throw new UsageError(
      `Cannot train: --walkers ${c.walkers} x --d ${c.d} is ${c.walkers * c.d} weights, more than ` +
        `${MAX_ARRAY_VALUES} (memory); use fewer walkers or a smaller d`,
    );
  }
  const records = Math.floor(c.steps / c.recordEvery);
  if (c.walkers * records > MAX_ARRAY_VALUES) {
    throw new UsageError(
      `Cannot train: --walkers ${c.walkers} x ${records} records (--steps / --record-every) is more than ` +
        `${MAX_ARRAY_VALUES} errors (memory); raise --record-every or use fewer walkers`,
    );
  }
}
