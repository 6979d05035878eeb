/**
 * Figure F4.2 of the LPL line (paper Fig. 2 and Fig. S1): mean |y| of the toy neuron against the
 * training step at sigma_y = 1, mean +- std over repetitions. Top: LPL, Pred-off and Hebb-off (linear
 * y): without the Hebbian term the activity decays to 0. Bottom (log y, the supplement): naive -var
 * (with 10x weight decay, spec Errata 5), LPL, VICReg var and pred only (= Hebb-off). All rules train
 * in one fused launch. The summary gives the first and last recorded activity per rule.
 *
 * Run: `deno run -A scripts/lpl_fig2_activity.ts` (quick), `--full` for 10 repetitions and finer records.
 *
 * @module
 */
import { requireOption } from "../lib/cli.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { NOTEBOOK_WEIGHT_DECAY, TOY_RULE_NAMES, type ToyRule } from "../lib/lpl/toy_neuron.ts";
import { summarizeRepetitions } from "../lib/lpl/toy_metrics.ts";
import { round4, runToyGrid, TOY_RULE_COLORS } from "../lib/lpl/toy_sweeps.ts";

/** Configuration of figure F4.2. */
export interface LplFig2Config extends Record<string, unknown> {
  sigmaY: number;
  repetitions: number;
  steps: number;
  /** Activity recorded every this many steps. */
  recordEvery: number;
  batch: number;
  /** Weight-decay multiplier of the naive -var rule (the notebook's activity run: 10). */
  naiveWeightDecayFactor: number;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale: the paper's 10k steps of 200 samples, 5 repetitions (a few seconds on the CPU adapter). */
export const defaultConfig: LplFig2Config = {
  sigmaY: 1,
  repetitions: 5,
  steps: 10000,
  recordEvery: 100,
  batch: 200,
  naiveWeightDecayFactor: 10,
  seed: 0,
  backend: "auto",
};

/** Paper scale: 10 repetitions, a record every 10 steps. */
export const fullConfig: LplFig2Config = { ...defaultConfig, repetitions: 10, recordEvery: 10 };

/** Tiny scale for tests. */
export const testConfig: LplFig2Config = {
  ...defaultConfig,
  repetitions: 2,
  steps: 400,
  recordEvery: 40,
  batch: 24,
};

const MAIN: ToyRule[] = ["lpl", "predOff", "hebbOff"];
const SUPPLEMENT: ToyRule[] = ["naiveVar", "lpl", "vicregVar", "hebbOff"];

/**
 * Runs the rules and builds the figure.
 *
 * @param config The configuration.
 * @returns The Vega-Lite spec and the summary.
 */
export async function run(config: LplFig2Config = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  requireOption("repetitions", config.repetitions, { integer: true, min: 1 });
  requireOption("recordEvery", config.recordEvery, { integer: true, min: 1 });
  requireOption("steps", config.steps, { integer: true, min: config.recordEvery });
  const rules: ToyRule[] = ["lpl", "predOff", "hebbOff", "naiveVar", "vicregVar"];
  const { cells, dispatches } = await runToyGrid(backend, {
    rules,
    sigmas: [config.sigmaY],
    flipProbabilities: [0],
    repetitions: config.repetitions,
    steps: config.steps,
    batch: config.batch,
    seed: config.seed,
    recordEvery: config.recordEvery,
    options: { naiveVar: { weightDecay: NOTEBOOK_WEIGHT_DECAY * config.naiveWeightDecayFactor } },
  });
  const records = Math.floor(config.steps / config.recordEvery);
  const curve = (rule: ToyRule) => {
    const cell = cells.find((c) => c.rule === rule)!;
    return Array.from({ length: records }, (_, i) => summarizeRepetitions(cell.activity.map((a) => a[i])));
  };
  const rows: Record<string, unknown>[] = [];
  for (const [panel, list] of [["main", MAIN], ["supplement", SUPPLEMENT]] as const) {
    for (const rule of list) {
      curve(rule).forEach((s, i) => {
        if (!Number.isFinite(s.mean) || (panel === "supplement" && !(s.mean > 0))) return;
        rows.push({
          panel,
          rule: rule === "hebbOff" && panel === "supplement" ? "pred only" : TOY_RULE_NAMES[rule],
          step: (i + 1) * config.recordEvery,
          mean: s.mean,
          low: panel === "main" ? s.mean - s.std : Math.max(s.mean - s.std, s.mean / 10),
          high: s.mean + s.std,
        });
      });
    }
  }
  const byRule = rules.map((rule) => {
    const c = curve(rule);
    const diverged = cells.find((x) =>
      x.rule === rule
    )!.activity.filter((a) => !a.every(Number.isFinite)).length;
    return {
      rule,
      firstRecordedActivity: round4(c[0].mean),
      finalActivity: round4(c[c.length - 1].mean),
      finalActivityStd: round4(c[c.length - 1].std),
      finalOverFirst: round4(c[c.length - 1].mean / c[0].mean),
      divergedRepetitions: diverged,
    };
  });
  const legend = (list: ToyRule[], panel: string) => {
    const names = list.map((r) =>
      r === "hebbOff" && panel === "supplement" ? "pred only" : TOY_RULE_NAMES[r]
    );
    return {
      field: "rule",
      type: "nominal" as const,
      scale: { domain: names, range: list.map((r) => TOY_RULE_COLORS[r]) },
    };
  };
  const panel = (name: "main" | "supplement", list: ToyRule[], log: boolean, title: string) => ({
    title,
    width: 420,
    height: 200,
    transform: [{ filter: `datum.panel === '${name}'` }],
    layer: [
      {
        mark: { type: "errorband" as const, opacity: 0.25 },
        encoding: {
          x: { field: "step", type: "quantitative" as const },
          y: { field: "low", type: "quantitative" as const, scale: log ? { type: "log" as const } : {} },
          y2: { field: "high" },
          color: legend(list, name),
        },
      },
      {
        mark: { type: "line" as const },
        encoding: {
          x: { field: "step", type: "quantitative" as const, title: "training step" },
          y: {
            field: "mean",
            type: "quantitative" as const,
            title: "mean |y|",
            scale: log ? { type: "log" as const } : {},
          },
          color: legend(list, name),
        },
      },
    ],
  });
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Toy 2-D neuron: activity mean |y| against step (sigma_y = ${config.sigmaY})`,
    description: `F4.2 (paper Fig. 2 / S1): ${config.repetitions} repetitions, ${config.steps} steps of ` +
      `${config.batch} samples; naive -var with ${config.naiveWeightDecayFactor}x weight decay`,
    data: { values: rows },
    vconcat: [
      panel("main", MAIN, false, "LPL, Pred-off, Hebb-off"),
      panel("supplement", SUPPLEMENT, true, "log scale: naive -var, LPL, VICReg var, pred only"),
    ],
    resolve: { scale: { color: "independent" } },
  };
  return { spec, summary: { config, backend: backend.description, dispatches, byRule } };
}

if (import.meta.main) {
  await figureMain<LplFig2Config>({
    name: "lpl_fig2_activity",
    description: "toy 2-D neuron: activity against step for LPL, Pred-off, Hebb-off (+ log-scale supplement)",
    options: {
      sigmaY: { type: "number", description: "nuisance spread sigma_y" },
      repetitions: { type: "number", description: "repetitions per rule" },
      steps: { type: "number", description: "SGD steps" },
      recordEvery: { type: "number", description: "record the activity every this many steps" },
      batch: { type: "number", description: "samples per batch" },
      naiveWeightDecayFactor: { type: "number", description: "weight-decay multiplier of naive -var" },
    },
    defaultConfig,
    fullConfig,
    run,
  });
}
