/**
 * The EoSS fidelity runs (issue 16 point 8; not in the gallery): Fashion-MNIST, the 784-512-512-10 MLP,
 * init scale 0.2, squared loss, lambda_max by warm-started power iteration, at the original's cadence,
 * three seeds per setting:
 *
 * | setting | n | b | eta | steps | the original's walltime on a 2-core machine |
 * |---|---|---|---|---|---|
 * | n64 | 64 | 4 | 0.05 | 1000 | 24 s |
 * | n256b8 | 256 | 8 | 0.02 | 10000 | 4.6 min |
 * | n256b32 | 256 | 32 | 0.02 | 10000 | 5.8 min |
 *
 * Each run is a run directory `<out>/<setting>_seed<k>` of scripts/eoss_train.ts; a finished one (done.json)
 * is read instead of run again, so the settings can be run one at a time. `--steps-scale` < 1 shortens every
 * run (the summary labels them "shortened"). The summary gives per run and per setting (mean and spread
 * across seeds) the plateaus of batch sharpness and lambda_max over the last third of the measurements
 * next to 2/eta, and the walltime beside the original's with where the time went.
 *
 * Stop rule: the original's (errata 1): the mean batch loss of an epoch below 1e-5 at the epoch's end.
 * Needs the full Fashion-MNIST (`apt-get install -y dataset-fashion-mnist`, or `--data-dir` with the IDX files).
 *
 * ```
 * deno run -A scripts/eoss_fidelity.ts                                  # n64, 3 seeds
 * deno run -A scripts/eoss_fidelity.ts --settings n256b8,n256b32 --seeds 1 --steps-scale 0.2
 * deno run -A scripts/eoss_fidelity.ts --settings n256b8 --seeds 1 --first-seed 2   # one seed per process
 * ```
 *
 * @module
 */
import { type CliSpec, COMMON_OPTIONS, runCli, UsageError } from "../lib/cli.ts";
import type { EossRow } from "../lib/eoss/metrics.ts";
import type { EossSummary } from "../lib/eoss/training.ts";
import { setProgressQuiet } from "../lib/progress.ts";
import { defaultConfig as trainDefaults } from "./eoss_train.ts";
import { runOrReadEossRun, studySeeds } from "./eoss_runs.ts";

/** A fidelity setting. */
export interface FidelitySetting {
  n: number;
  batch: number;
  learningRate: number;
  steps: number;
  /** The original's walltime in seconds on a 2-core machine (issue 16). */
  originalSeconds: number;
}

/** The three settings of issue 16 point 8. */
export const FIDELITY_SETTINGS: Readonly<Record<string, FidelitySetting>> = {
  n64: { n: 64, batch: 4, learningRate: 0.05, steps: 1000, originalSeconds: 24 },
  n256b8: { n: 256, batch: 8, learningRate: 0.02, steps: 10000, originalSeconds: 276 },
  n256b32: { n: 256, batch: 32, learningRate: 0.02, steps: 10000, originalSeconds: 348 },
};

/** Settings of the fidelity script. */
export interface FidelityConfig {
  settings: string;
  /** More settings as n/b/eta/steps, comma-separated (the edge table of point 9), e.g. "64/4/0.1/1000". */
  custom: string;
  /** Most batches per batch-sharpness measurement (1000, the original's). */
  bsMaxSamples: number;
  seeds: number;
  /** The first seed index (seeds firstSeed .. firstSeed + seeds - 1): one process per seed runs them in parallel. */
  firstSeed: number;
  stepsScale: number;
  dataDir: string;
  out: string;
  backend: string;
}

/** n64 with three seeds. */
export const defaultConfig: FidelityConfig = {
  settings: "n64",
  custom: "",
  bsMaxSamples: 1000,
  seeds: 3,
  firstSeed: 0,
  stepsScale: 1,
  dataDir: "",
  out: "out/eoss_fidelity",
  backend: "auto",
};

/** One run's line of the summary. */
interface RunSummary {
  setting: string;
  seed: number;
  steps: number;
  status: string;
  batchSharpness: { mean: number; std: number; ratio: number };
  lambdaMax: { mean: number; std: number; ratio: number };
  finalFullLoss: number;
  /** The largest batch sharpness measured, its step, and its ratio to 2/eta (the edge may be reached, then left). */
  peakBatchSharpness: { value: number; step: number; ratio: number };
  seconds: EossSummary["seconds"];
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const spread = (v: number[]) =>
  v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean(v)) ** 2, 0) / (v.length - 1)) : NaN;

/** The largest measured batch sharpness of a run's rows. */
function peakBatchSharpness(rows: EossRow[], learningRate: number) {
  let best = { value: NaN, step: NaN, ratio: NaN };
  for (const r of rows) {
    if (Number.isFinite(r.batch_sharpness) && !(r.batch_sharpness <= best.value)) {
      best = { value: r.batch_sharpness, step: r.step, ratio: (r.batch_sharpness * learningRate) / 2 };
    }
  }
  return best;
}

/** Runs (or reads) every run and returns the summary. */
export async function run(config: FidelityConfig, print: (line: string) => void = console.log) {
  const table: Record<string, FidelitySetting> = { ...FIDELITY_SETTINGS };
  for (const entry of config.custom.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const [n, batch, learningRate, steps] = entry.split("/").map(Number);
    if (![n, batch, learningRate, steps].every((v) => Number.isFinite(v) && v > 0)) {
      throw new UsageError(`Option --custom has "${entry}", each must be n/b/eta/steps, e.g. 64/4/0.1/1000`);
    }
    table[`n${n}_b${batch}_eta${learningRate}_s${steps}`] = {
      n,
      batch,
      learningRate,
      steps,
      originalSeconds: NaN,
    };
  }
  const names = [
    ...config.settings.split(",").map((s) => s.trim()).filter((s) => s !== ""),
    ...Object.keys(table).filter((k) => !(k in FIDELITY_SETTINGS)),
  ];
  for (const name of names) {
    if (!(name in table)) {
      throw new UsageError(
        `Option --settings has "${name}", each must be one of ${Object.keys(FIDELITY_SETTINGS).join(", ")}`,
      );
    }
  }
  const runs: RunSummary[] = [];
  const settings: Record<string, unknown> = {};
  for (const name of names) {
    const s = table[name], steps = Math.max(1, Math.round(s.steps * config.stepsScale));
    const perSeed: RunSummary[] = [];
    for (let k = config.firstSeed; k < config.firstSeed + config.seeds; k++) {
      const dir = `${config.out}/${name}${steps < s.steps ? `_steps${steps}` : ""}_seed${k}`;
      // A diverged run is a result of the edge table: its partial measurements are kept.
      const { rows, summary } = await runOrReadEossRun(dir, {
        ...trainDefaults,
        n: s.n,
        batch: s.batch,
        learningRate: s.learningRate,
        steps,
        stopRule: "epochMean",
        stopLoss: 1e-5,
        dataSource: "full",
        dataDir: config.dataDir,
        ...studySeeds(k),
        bsMaxSamples: config.bsMaxSamples,
        backend: config.backend,
      }, print);
      const p = summary.plateau;
      const line: RunSummary = {
        setting: name,
        seed: k,
        steps: summary.steps,
        status: summary.status,
        batchSharpness: {
          mean: p.batchSharpness.mean,
          std: p.batchSharpness.std,
          ratio: p.batchSharpness.ratio,
        },
        lambdaMax: { mean: p.lambdaMax.mean, std: p.lambdaMax.std, ratio: p.lambdaMax.ratio },
        finalFullLoss: summary.finalFullLoss,
        peakBatchSharpness: peakBatchSharpness(rows, s.learningRate),
        seconds: summary.seconds,
      };
      print(
        `${name} seed ${k}: ${summary.status} at ${summary.steps}, BS ${
          p.batchSharpness.mean.toFixed(2)
        } +- ` +
          `${p.batchSharpness.std.toFixed(2)} (${p.batchSharpness.ratio.toFixed(3)} x 2/eta), lambda_max ` +
          `${p.lambdaMax.mean.toFixed(2)} (${p.lambdaMax.ratio.toFixed(3)}), ${
            summary.seconds.total.toFixed(0)
          } s`,
      );
      perSeed.push(line);
      runs.push(line);
    }
    const total = perSeed.map((r) => r.seconds.total);
    const part = (f: (r: RunSummary) => number) => mean(perSeed.map(f));
    settings[name] = {
      ...s,
      steps,
      shortened: steps < s.steps,
      threshold: 2 / s.learningRate,
      batchSharpness: {
        mean: mean(perSeed.map((r) => r.batchSharpness.mean)),
        spreadAcrossSeeds: spread(perSeed.map((r) => r.batchSharpness.mean)),
        meanWithinRunSpread: part((r) => r.batchSharpness.std),
      },
      lambdaMax: {
        mean: mean(perSeed.map((r) => r.lambdaMax.mean)),
        spreadAcrossSeeds: spread(perSeed.map((r) => r.lambdaMax.mean)),
        meanWithinRunSpread: part((r) => r.lambdaMax.std),
      },
      batchSharpnessRatio: mean(perSeed.map((r) => r.batchSharpness.ratio)),
      peakBatchSharpnessRatio: mean(perSeed.map((r) => r.peakBatchSharpness.ratio)),
      lambdaMaxRatio: mean(perSeed.map((r) => r.lambdaMax.ratio)),
      walltimeSeconds: { toolkitMeanPerRun: mean(total), original: s.originalSeconds * (steps / s.steps) },
      timeSplitSeconds: {
        setup: part((r) => r.seconds.setup),
        sgdSteps: part((r) => r.seconds.training),
        lambdaMax: part((r) => r.seconds.measurements.lambdaMax),
        batchSharpness: part((r) => r.seconds.measurements.batchSharpness),
        stepSharpness: part((r) => r.seconds.measurements.stepSharpness),
        fullLoss: part((r) => r.seconds.measurements.fullLoss),
      },
    };
  }
  const summary = { settings, runs };
  await Deno.mkdir(config.out, { recursive: true });
  await Deno.writeTextFile(
    `${config.out}/eoss_fidelity.summary.json`,
    JSON.stringify(summary, null, 2) + "\n",
  );
  return summary;
}

/** The command line of the script. */
export const FIDELITY_CLI: CliSpec = {
  usage: "deno run -A scripts/eoss_fidelity.ts",
  description:
    "The EoSS fidelity runs (Fashion-MNIST MLP, 3 seeds): plateau means and spreads and walltimes.",
  options: {
    settings: {
      type: "string",
      default: defaultConfig.settings,
      description: `comma-separated: ${Object.keys(FIDELITY_SETTINGS).join(", ")}`,
    },
    custom: {
      type: "string",
      default: "",
      description: "more settings n/b/eta/steps, comma-separated (e.g. 64/4/0.1/1000)",
    },
    bsMaxSamples: {
      type: "number",
      default: 1000,
      description: "most batches per batch-sharpness measurement",
      integer: true,
      min: 20,
    },
    seeds: {
      type: "number",
      default: defaultConfig.seeds,
      description: "seeds per setting",
      integer: true,
      min: 1,
    },
    firstSeed: {
      type: "number",
      default: 0,
      description: "first seed index (run seeds in separate processes, then read them all with --seeds)",
      integer: true,
      min: 0,
    },
    stepsScale: {
      type: "number",
      default: 1,
      description: "fraction of each setting's steps (< 1: shortened runs, labelled)",
      positive: true,
      max: 1,
    },
    dataDir: { type: "string", default: "", description: "directory of the Fashion-MNIST IDX files" },
    out: { ...COMMON_OPTIONS.out, default: defaultConfig.out },
    quiet: { type: "boolean", default: false, description: "no progress output" },
    backend: COMMON_OPTIONS.backend,
    config: COMMON_OPTIONS.config,
  },
};

if (import.meta.main) {
  await runCli(FIDELITY_CLI, async (parsed) => {
    setProgressQuiet(Boolean(parsed.quiet));
    const { quiet: _q, config: _c, ...rest } = parsed;
    const summary = await run(rest as unknown as FidelityConfig);
    console.log(JSON.stringify(summary.settings, null, 2));
  });
}
