/**
 * The EoSS physics runs (issue 16 "Done means"; not in the gallery): does batch sharpness settle at 2/eta
 * for two batch sizes, with lambda_max below it and growing with b, and does an eta-doubling fork spike the
 * loss and re-settle at the new 2/eta? Fashion-MNIST, the 784-512-512-10 MLP, init 0.2, squared loss, the
 * full dataset's normalisation, like scripts/eoss_fidelity.ts, but with a denser cadence (batch sharpness
 * every `bsEvery` steps with at most `bsMaxSamples` batches, lambda_max every `lambdaEvery` steps, the full
 * loss every 32) and no stop-loss (`--stop-rule none`: the small subsets get fitted; the runs go on).
 *
 * - Physics settings (`--settings n/b/eta/steps,...`), `--seeds` seeds each (seed k shifts all four seeds:
 *   data 1011 + k, init 1312 + k, order 111 + k, measurements 8312 + k, as the fidelity script).
 * - The fork (`--fork n/b/eta/forkStep/steps/factor`): a parent at eta with a checkpoint at forkStep that
 *   trains on to `steps` (the control), and a fork from that checkpoint at factor x eta to `steps`.
 *
 * Each run is a run directory `<out>/<name>_seed<k>` of scripts/eoss_train.ts; a finished one (done.json)
 * is read instead of run again, so runs can be made one at a time (e.g. `--seeds 1`, then `--seeds 3`).
 * Writes `<out>/eoss_edge.summary.json` (per run and per setting: the plateaus over the last third of the
 * measurements against 2/eta, mean and spread across seeds, the checks) and two figures,
 * `eoss_edge.vl.json`/`.svg` (BS / (2/eta) and lambda_max / (2/eta) against the step, one panel per
 * setting, one line per seed) and `eoss_edge_fork.vl.json`/`.svg`.
 *
 * ```
 * deno run -A scripts/eoss_edge.ts                      # the README's runs (b 4 / eta 0.1 and b 8 / eta 0.15 at n 128, 3 seeds; neighbours; the fork)
 * deno run -A scripts/eoss_edge.ts --seeds 1 --fork ""  # one seed per setting, no fork
 * ```
 *
 * Needs the full Fashion-MNIST (`apt-get install -y dataset-fashion-mnist`, or `--data-dir`).
 *
 * @module
 */
import { type CliSpec, COMMON_OPTIONS, runCli, UsageError } from "../lib/cli.ts";
import type { EossSummary } from "../lib/eoss/training.ts";
import { writeFigure } from "../lib/plot/figure.ts";
import { edgeFigure, forkFigure, ratioPoints } from "./eoss_edge_figures.ts";
import { setProgressQuiet } from "../lib/progress.ts";
import { defaultConfig as trainDefaults, type EossTrainFlags } from "./eoss_train.ts";
import { runOrReadEossRun, studySeeds } from "./eoss_runs.ts";

/** Settings of the edge script. */
export interface EdgeConfig {
  /** Physics settings n/b/eta/steps, comma-separated. */
  settings: string;
  seeds: number;
  /** The fork n/b/eta/forkStep/steps/factor ("" for none). */
  fork: string;
  forkSeeds: number;
  lossEvery: number;
  bsEvery: number;
  lambdaEvery: number;
  /** lambda_max's solver: power (the spec's, default) or lanczos (run names get "_lanczos"). */
  lambdaSolver: string;
  bsMaxSamples: number;
  /** fashion-mnist (the full dataset), cifar10, or synthetic (tests). */
  dataset: string;
  /** Hidden widths instead of the mlp preset's 512,512 ("" for the preset's). */
  hidden: string;
  dataDir: string;
  out: string;
  backend: string;
}

/**
 * The README's runs: b = 4 at eta 0.1 and b = 8 at eta 0.15 (n 128, 1200 steps, 3 seeds), four one-seed
 * neighbours (2000 steps, b = 8 at eta 0.1, n = 256, b = 2); the fork eta 0.05 -> 0.1 at step 300 of 1100,
 * 2 seeds.
 */
export const defaultConfig: EdgeConfig = {
  settings:
    "128/4/0.1/1200,128/8/0.15/1200,128/4/0.1/2000/1,128/8/0.1/2000/1,256/8/0.1/1200/1,128/2/0.1/1200/1",
  seeds: 3,
  fork: "128/4/0.05/300/1100/2",
  forkSeeds: 2,
  lossEvery: 32,
  bsEvery: 32,
  lambdaEvery: 64,
  lambdaSolver: "power",
  bsMaxSamples: 200,
  dataset: "fashion-mnist",
  hidden: "",
  dataDir: "",
  out: "out/eoss_edge",
  backend: "auto",
};

/** A physics setting. */
interface Setting {
  n: number;
  batch: number;
  learningRate: number;
  steps: number;
  /** Seeds of this setting (default: the config's). */
  seeds?: number;
}

/** One run's numbers. */
interface RunNumbers {
  seed: number;
  status: string;
  steps: number;
  batchSharpness: { mean: number; std: number; ratio: number };
  lambdaMax: { mean: number; std: number; ratio: number };
  finalFullLoss: number;
  seconds: number;
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const spread = (v: number[]) =>
  v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean(v)) ** 2, 0) / (v.length - 1)) : NaN;
/** Mean and sample spread across seeds. */
const acrossSeeds = (v: number[]) => ({ mean: mean(v), spread: spread(v), values: v });

function parseEntries(
  text: string,
  fields: number[],
  what: string,
  example: string,
): number[][] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "").map((entry) => {
    const v = entry.split("/").map(Number);
    if (!fields.includes(v.length) || !v.every((x) => Number.isFinite(x) && x > 0)) {
      throw new UsageError(`Option --${what} has "${entry}", must be ${example}`);
    }
    return v;
  });
}

const settingName = (s: Setting, solver = "power") =>
  `n${s.n}_b${s.batch}_eta${s.learningRate}_s${s.steps}${solver === "power" ? "" : `_${solver}`}`;

/** The flags of a run of this script (seed k). */
function runFlags(config: EdgeConfig, s: Setting, k: number): EossTrainFlags {
  return {
    ...trainDefaults,
    n: s.n,
    batch: s.batch,
    learningRate: s.learningRate,
    steps: s.steps,
    stopRule: "none",
    dataset: config.dataset,
    hidden: config.hidden,
    dataSource: config.dataset === "fashion-mnist" ? "full" : "auto",
    dataDir: config.dataDir,
    ...studySeeds(k),
    lossEvery: config.lossEvery,
    bsEvery: config.bsEvery,
    lambdaEvery: config.lambdaEvery,
    lambdaSolver: config.lambdaSolver,
    bsMaxSamples: config.bsMaxSamples,
    backend: config.backend,
  };
}

const runOrRead = (dir: string, flags: EossTrainFlags, print: (line: string) => void) =>
  runOrReadEossRun(dir, flags, print, "quiet");

function numbers(seed: number, s: EossSummary): RunNumbers {
  const p = s.plateau;
  return {
    seed,
    status: s.status,
    steps: s.steps,
    batchSharpness: { mean: p.batchSharpness.mean, std: p.batchSharpness.std, ratio: p.batchSharpness.ratio },
    lambdaMax: { mean: p.lambdaMax.mean, std: p.lambdaMax.std, ratio: p.lambdaMax.ratio },
    finalFullLoss: s.finalFullLoss,
    seconds: s.seconds.total,
  };
}

/** Runs (or reads) every run; writes the summary and the figures; returns the summary. */
export async function run(config: EdgeConfig, print: (line: string) => void = console.log) {
  const settings = parseEntries(
    config.settings,
    [4, 5],
    "settings",
    "n/b/eta/steps[/seeds], e.g. 128/4/0.1/1200",
  )
    .map(([n, batch, learningRate, steps, seeds]): Setting => ({ n, batch, learningRate, steps, seeds }));
  const forks = parseEntries(
    config.fork,
    [6],
    "fork",
    "n/b/eta/forkStep/steps/factor, e.g. 128/4/0.05/300/1100/2",
  );
  if (forks.length > 1) throw new UsageError(`Option --fork has ${forks.length} entries, must be at most 1`);
  for (const [, , , forkStep, steps] of forks) {
    if (!(forkStep < steps)) {
      throw new UsageError(`Option --fork has forkStep ${forkStep}, must be < steps ${steps}`);
    }
  }
  const summary: Record<string, unknown> = { config, settings: {}, fork: null };
  const points: Record<string, unknown>[] = [];
  for (const s of settings) {
    const name = settingName(s, config.lambdaSolver),
      threshold = 2 / s.learningRate,
      perSeed: RunNumbers[] = [];
    for (let k = 0; k < (s.seeds ?? config.seeds); k++) {
      const { rows, summary: rs } = await runOrRead(
        `${config.out}/${name}_seed${k}`,
        runFlags(config, s, k),
        print,
      );
      perSeed.push(numbers(k, rs));
      points.push(
        ...ratioPoints(rows, `n ${s.n}, b ${s.batch}, eta ${s.learningRate}`, `seed ${k}`, threshold),
      );
    }
    const bs = acrossSeeds(perSeed.map((r) => r.batchSharpness.ratio));
    const lm = acrossSeeds(perSeed.map((r) => r.lambdaMax.ratio));
    (summary.settings as Record<string, unknown>)[name] = {
      ...s,
      threshold,
      seeds: perSeed.length,
      batchSharpnessRatio: bs,
      lambdaMaxRatio: lm,
      atEdge: Math.abs(bs.mean - 1) <= 0.1,
      lambdaMaxBelow: lm.mean < bs.mean,
      secondsPerRun: mean(perSeed.map((r) => r.seconds)),
      runs: perSeed,
    };
    print(
      `${name}: BS / (2/eta) ${bs.mean.toFixed(3)} +- ${bs.spread.toFixed(3)}, lambda_max / (2/eta) ` +
        `${lm.mean.toFixed(3)} +- ${lm.spread.toFixed(3)} (${perSeed.length} seeds)`,
    );
  }
  const forkPoints: Record<string, unknown>[] = [];
  for (const [n, batch, learningRate, forkStep, steps, factor] of forks) {
    const parent = { n, batch, learningRate, steps }, perSeed: Record<string, unknown>[] = [];
    for (let k = 0; k < config.forkSeeds; k++) {
      const parentDir = `${config.out}/fork_parent_${
        settingName(parent, config.lambdaSolver)
      }_ckpt${forkStep}_seed${k}`;
      const control = await runOrRead(parentDir, {
        ...runFlags(config, parent, k),
        checkpointSteps: String(forkStep),
      }, print);
      const fork = await runOrRead(
        `${config.out}/fork_x${factor}_${settingName(parent, config.lambdaSolver)}_at${forkStep}_seed${k}`,
        {
          ...runFlags(config, { ...parent, learningRate: learningRate * factor }, k),
          forkFrom: parentDir,
          forkStep,
        },
        print,
      );
      const atFork = control.rows.filter((r) => r.step <= forkStep && Number.isFinite(r.full_loss)).at(-1);
      const lastBefore = (key: "batch_sharpness" | "lambda_max") =>
        control.rows.filter((r) => r.step <= forkStep && Number.isFinite(r[key])).at(-1)?.[key] ?? NaN;
      const forkLosses = fork.rows.map((r) => r.full_loss).filter(Number.isFinite);
      const peak = Math.max(...forkLosses);
      perSeed.push({
        seed: k,
        beforeFork: {
          fullLoss: atFork?.full_loss ?? NaN,
          batchSharpnessRatioOld: lastBefore("batch_sharpness") * learningRate / 2,
          batchSharpnessRatioNew: lastBefore("batch_sharpness") * learningRate * factor / 2,
          lambdaMax: lastBefore("lambda_max"),
        },
        lossSpike: peak / (atFork?.full_loss ?? NaN),
        peakStep: fork.rows.find((r) => r.full_loss === peak)?.step ?? NaN,
        control: numbers(k, control.summary),
        fork: numbers(k, fork.summary),
      });
      const t = 2 / learningRate, tf = t / factor;
      const label = (what: string) => `${what}, seed ${k}`;
      for (
        const [rows, branch, th] of [[control.rows, "control", t], [
          fork.rows,
          `eta x ${factor}`,
          tf,
        ]] as const
      ) {
        for (const r of rows) {
          if (Number.isFinite(r.full_loss)) {
            forkPoints.push({
              branch,
              seed: label(branch),
              step: r.step,
              quantity: "full loss",
              value: r.full_loss,
            });
          }
          if (Number.isFinite(r.batch_sharpness)) {
            forkPoints.push({
              branch,
              seed: label(branch),
              step: r.step,
              quantity: "BS / own 2/eta",
              value: r.batch_sharpness / th,
            });
          }
        }
      }
    }
    const ratios = (f: (r: Record<string, unknown>) => number) => acrossSeeds(perSeed.map(f));
    // deno-lint-ignore no-explicit-any
    const get = (r: any) => r;
    summary.fork = {
      parent,
      forkStep,
      factor,
      forkLearningRate: learningRate * factor,
      lossSpike: ratios((r) => get(r).lossSpike),
      forkBatchSharpnessRatio: ratios((r) => get(r).fork.batchSharpness.ratio),
      forkLambdaMax: ratios((r) => get(r).fork.lambdaMax.mean),
      controlBatchSharpnessRatio: ratios((r) => get(r).control.batchSharpness.ratio),
      controlLambdaMax: ratios((r) => get(r).control.lambdaMax.mean),
      runs: perSeed,
    };
    print(`fork: ${JSON.stringify(summary.fork, null, 0).slice(0, 400)}`);
  }
  await Deno.mkdir(config.out, { recursive: true });
  await Deno.writeTextFile(`${config.out}/eoss_edge.summary.json`, JSON.stringify(summary, null, 2) + "\n");
  if (points.length) {
    await writeFigure(config.out, "eoss_edge", {
      spec: edgeFigure(points, "EoSS physics runs: batch sharpness and lambda_max over 2/eta"),
      summary,
    });
  }
  if (forkPoints.length) {
    const f = summary.fork as { forkStep: number; factor: number };
    await writeFigure(config.out, "eoss_edge_fork", {
      spec: forkFigure(forkPoints, f.forkStep, f.factor),
      summary,
    });
  }
  return summary;
}

/** The command line of the script. */
export const EDGE_CLI: CliSpec = {
  usage: "deno run -A scripts/eoss_edge.ts",
  description: "EoSS physics runs: batch sharpness at 2/eta for several b, and an eta-doubling fork.",
  options: {
    settings: {
      type: "string",
      default: defaultConfig.settings,
      description: "n/b/eta/steps[/seeds], comma-separated (seeds: this setting's, else --seeds)",
    },
    seeds: {
      type: "number",
      default: defaultConfig.seeds,
      description: "seeds per setting",
      integer: true,
      min: 1,
    },
    fork: {
      type: "string",
      default: defaultConfig.fork,
      description: 'n/b/eta/forkStep/steps/factor ("" for none)',
    },
    forkSeeds: {
      type: "number",
      default: defaultConfig.forkSeeds,
      description: "seeds of the fork",
      integer: true,
      min: 1,
    },
    lossEvery: {
      type: "number",
      default: defaultConfig.lossEvery,
      description: "full-loss period",
      integer: true,
      min: 1,
    },
    bsEvery: {
      type: "number",
      default: defaultConfig.bsEvery,
      description: "batch-sharpness period",
      integer: true,
      min: 1,
    },
    lambdaEvery: {
      type: "number",
      default: defaultConfig.lambdaEvery,
      description: "lambda_max period",
      integer: true,
      min: 1,
    },
    lambdaSolver: {
      type: "string",
      default: defaultConfig.lambdaSolver,
      description:
        "lambda_max's solver: power (the spec's) or lanczos (fewer H v products; run names get _lanczos)",
      choices: ["power", "lanczos"],
    },
    bsMaxSamples: {
      type: "number",
      default: defaultConfig.bsMaxSamples,
      description: "most batches per batch-sharpness measurement",
      integer: true,
      min: 20,
    },
    dataset: {
      type: "string",
      default: defaultConfig.dataset,
      description: "training data",
      choices: ["fashion-mnist", "cifar10", "synthetic"],
    },
    hidden: { type: "string", default: "", description: "hidden widths instead of the preset's, e.g. 64,64" },
    dataDir: { type: "string", default: "", description: "directory of the dataset files" },
    out: { ...COMMON_OPTIONS.out, default: defaultConfig.out },
    quiet: { type: "boolean", default: false, description: "no progress output" },
    backend: COMMON_OPTIONS.backend,
    config: COMMON_OPTIONS.config,
  },
};

if (import.meta.main) {
  await runCli(EDGE_CLI, async (parsed) => {
    setProgressQuiet(Boolean(parsed.quiet));
    const { quiet: _q, config: _c, ...rest } = parsed;
    await run(rest as unknown as EdgeConfig);
  });
}
