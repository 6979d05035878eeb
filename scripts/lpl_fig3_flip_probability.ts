/**
 * Figure F4.3 of the LPL line (paper Fig. 2): x-selectivity of the toy neuron against the cluster-flip
 * probability p at sigma_y = 1, mean +- std over repetitions, for LPL, Pred-off and Oja (the rules the
 * notebook runs, spec Errata 5). LPL learns x while consecutive samples are more likely to stay in their
 * cluster (p < 0.5); above 0.5 the slow feature is the y direction (Errata 4). All (rule, p, repetition)
 * train in one fused launch. The summary gives LPL's mean selectivity for p < 0.45 and p > 0.55 and
 * at the p values nearest 0.45 and 0.55.
 *
 * Run: `deno run -A scripts/lpl_fig3_flip_probability.ts` (quick), `--full` for linspace(0, 1, 50) x 10 reps.
 *
 * @module
 */
import { requireOption } from "../lib/cli.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { TOY_RULE_NAMES } from "../lib/lpl/toy_neuron.ts";
import { summarizeRepetitions } from "../lib/lpl/toy_metrics.ts";
import { linspace, round4, runToyGrid, summarizeCell, TOY_RULE_COLORS } from "../lib/lpl/toy_sweeps.ts";
import { parsePastOutput, parseRules } from "./lpl_fig1_selectivity.ts";

/** Configuration of figure F4.3. */
export interface LplFig3Config extends Record<string, unknown> {
  rules: string;
  /** Number of p values, linspace(0, 1, points). */
  points: number;
  sigmaY: number;
  repetitions: number;
  steps: number;
  batch: number;
  /** The predictive term's past output: "recomputed" (the toy notebook) or "stored" (the S2 notebook; Errata 6). */
  pastOutput: string;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale: 21 p x 3 reps x 3 rules at the paper's 10k steps of 200 samples (~6 s on the CPU adapter). */
export const defaultConfig: LplFig3Config = {
  rules: "lpl,predOff,oja",
  points: 21,
  sigmaY: 1,
  repetitions: 3,
  steps: 10000,
  batch: 200,
  pastOutput: "recomputed",
  seed: 0,
  backend: "auto",
};

/** Paper scale: linspace(0, 1, 50) x 10 repetitions. */
export const fullConfig: LplFig3Config = { ...defaultConfig, points: 50, repetitions: 10 };

/** Tiny scale for tests. */
export const testConfig: LplFig3Config = {
  ...defaultConfig,
  points: 3,
  repetitions: 2,
  steps: 300,
  batch: 24,
};

/**
 * Runs the sweep and builds the figure.
 *
 * @param config The configuration.
 * @returns The Vega-Lite spec and the summary.
 */
export async function run(config: LplFig3Config = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const rules = parseRules(config.rules);
  requireOption("points", config.points, { integer: true, min: 1 });
  requireOption("repetitions", config.repetitions, { integer: true, min: 1 });
  const flips = linspace(0, 1, config.points);
  const { cells, dispatches } = await runToyGrid(backend, {
    rules,
    sigmas: [config.sigmaY],
    flipProbabilities: flips,
    repetitions: config.repetitions,
    steps: config.steps,
    batch: config.batch,
    seed: config.seed,
    pastOutput: parsePastOutput(config.pastOutput),
  });
  const summaries = cells.map(summarizeCell);
  const rows = summaries.filter((s) => Number.isFinite(s.selectivity.mean)).map((s) => ({
    rule: TOY_RULE_NAMES[s.rule],
    p: s.flipProbability,
    mean: s.selectivity.mean,
    low: s.selectivity.mean - s.selectivity.std,
    high: s.selectivity.mean + s.selectivity.std,
  }));
  const byRule = rules.map((rule) => {
    const mine = cells.filter((c) => c.rule === rule);
    const pooled = (keep: (p: number) => boolean) =>
      round4(
        summarizeRepetitions(mine.filter((c) => keep(c.flipProbability)).flatMap((c) => c.selectivity)).mean,
      );
    const nearest = (target: number) =>
      mine.reduce((a, c) =>
        Math.abs(c.flipProbability - target) < Math.abs(a.flipProbability - target) ? c : a
      );
    const at = (target: number) => {
      const c = nearest(target);
      return { p: round4(c.flipProbability), selectivity: round4(summarizeRepetitions(c.selectivity).mean) };
    };
    return {
      rule,
      selectivityBelowP0p45: pooled((p) => p < 0.45),
      selectivityAboveP0p55: pooled((p) => p > 0.55),
      nearP0p45: at(0.45),
      nearP0p55: at(0.55),
    };
  });
  const names = rules.map((r) => TOY_RULE_NAMES[r]);
  const color = {
    field: "rule",
    type: "nominal" as const,
    scale: { domain: names, range: rules.map((r) => TOY_RULE_COLORS[r]) },
  };
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title:
      `Toy 2-D neuron: x-selectivity against the cluster-flip probability p (sigma_y = ${config.sigmaY})`,
    description: `F4.3 (paper Fig. 2): ${names.join(", ")}; ${config.points} p x ${config.repetitions} ` +
      `repetitions, ${config.steps} steps of ${config.batch} samples`,
    data: { values: rows },
    width: 420,
    height: 220,
    layer: [
      {
        mark: { type: "errorband", opacity: 0.25 },
        encoding: {
          x: { field: "p", type: "quantitative" },
          y: { field: "low", type: "quantitative" },
          y2: { field: "high" },
          color,
        },
      },
      {
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "p", type: "quantitative", scale: { domain: [0, 1] }, title: "flip probability p" },
          y: { field: "mean", type: "quantitative", scale: { domain: [0, 1] }, title: "x-selectivity" },
          color,
        },
      },
    ],
  };
  return {
    spec,
    summary: {
      config,
      backend: backend.description,
      dispatches,
      byRule,
      cells: summaries.map((s) => ({
        rule: s.rule,
        p: round4(s.flipProbability),
        selectivity: round4(s.selectivity.mean),
        selectivityStd: round4(s.selectivity.std),
      })),
    },
  };
}

if (import.meta.main) {
  await figureMain<LplFig3Config>({
    name: "lpl_fig3_flip_probability",
    description: "toy 2-D neuron: x-selectivity against the cluster-flip probability p (paper Fig. 2)",
    options: {
      rules: { type: "string", description: "rules, comma-separated" },
      points: { type: "number", description: "number of p values in [0, 1]" },
      sigmaY: { type: "number", description: "nuisance spread sigma_y" },
      repetitions: { type: "number", description: "repetitions per setting" },
      steps: { type: "number", description: "SGD steps" },
      batch: { type: "number", description: "samples per batch" },
      pastOutput: { type: "string", description: "past output of the predictive term: recomputed or stored" },
    },
    defaultConfig,
    fullConfig,
    run,
  });
}
