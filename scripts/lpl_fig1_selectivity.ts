/**
 * Figure F4.1 of the LPL line (paper Fig. 2): x-selectivity of a single linear neuron trained on the toy
 * 2-D sequences against the nuisance spread sigma_y (log axis), mean +- std over repetitions, for LPL,
 * Pred-off and Oja (and, with --rules, naive -var and VICReg var), without cluster flips and with
 * p = 0.2; the companion row shows the alignment |w1| / |w|. Every (rule, p, sigma_y, repetition) is
 * trained together in one fused launch. The summary gives the mean selectivity per cell and per rule
 * for sigma_y <= 0.3 and >= 3.
 *
 * Run: `deno run -A scripts/lpl_fig1_selectivity.ts` (quick), `--full` for the paper's 50 sigma x 10 reps.
 *
 * @module
 */
import { parseNumberList, requireOption } from "../lib/cli.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { TOY_RULE_NAMES, TOY_RULES, type ToyRule } from "../lib/lpl/toy_neuron.ts";
import { summarizeRepetitions } from "../lib/lpl/toy_metrics.ts";
import type { PastOutput } from "../kernels/lpl/toy_neuron_types.ts";
import { logspace, round4, runToyGrid, summarizeCell, TOY_RULE_COLORS } from "../lib/lpl/toy_sweeps.ts";

/** Configuration of figure F4.1. */
export interface LplFig1Config extends Record<string, unknown> {
  /** Rules, comma-separated (lpl, predOff, hebbOff, naiveVar, vicregVar, oja). */
  rules: string;
  /** sigma_y values: `points` log-spaced from 10^sigmaMinExponent to 10^sigmaMaxExponent. */
  points: number;
  sigmaMinExponent: number;
  sigmaMaxExponent: number;
  /** Flip probabilities, comma-separated (one column each). */
  flips: string;
  repetitions: number;
  steps: number;
  batch: number;
  /** The predictive term's past output: "recomputed" (the toy notebook) or "stored" (the S2 notebook; Errata 6). */
  pastOutput: string;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale: 13 sigma x 3 reps x 3 rules x 2 p at the paper's 10k steps of 200 samples (~10 s on the CPU adapter). */
export const defaultConfig: LplFig1Config = {
  rules: "lpl,predOff,oja",
  points: 13,
  sigmaMinExponent: -2,
  sigmaMaxExponent: 2,
  flips: "0,0.2",
  repetitions: 3,
  steps: 10000,
  batch: 200,
  pastOutput: "recomputed",
  seed: 0,
  backend: "auto",
};

/** Paper scale: logspace(-2, 2, 50) x 10 repetitions, all five rules of the notebook. */
export const fullConfig: LplFig1Config = {
  ...defaultConfig,
  rules: "lpl,predOff,oja,naiveVar,vicregVar",
  points: 50,
  repetitions: 10,
};

/** Tiny scale for tests. */
export const testConfig: LplFig1Config = {
  ...defaultConfig,
  points: 3,
  repetitions: 2,
  steps: 300,
  batch: 24,
};

/** Parses a comma-separated rule list. */
export function parseRules(text: string): ToyRule[] {
  return String(text).split(",").map((s) => s.trim()).map((r) => {
    if (!(TOY_RULES as readonly string[]).includes(r)) {
      throw new RangeError(`Option --rules has entry "${r}", each must be one of ${TOY_RULES.join(", ")}`);
    }
    return r as ToyRule;
  });
}

/** Parses the past-output option. */
export function parsePastOutput(text: string): PastOutput {
  if (text !== "recomputed" && text !== "stored") {
    throw new RangeError(`Option --past-output is "${text}", must be recomputed or stored`);
  }
  return text;
}

/**
 * Runs the sweep and builds the figure.
 *
 * @param config The configuration.
 * @returns The Vega-Lite spec and the summary.
 */
export async function run(config: LplFig1Config = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const rules = parseRules(config.rules);
  const flips = parseNumberList("flips", config.flips, { min: 0 });
  requireOption("points", config.points, { integer: true, min: 1 });
  requireOption("repetitions", config.repetitions, { integer: true, min: 1 });
  const sigmas = logspace(config.sigmaMinExponent, config.sigmaMaxExponent, config.points);
  const started = performance.now();
  const { cells, sequences, dispatches } = await runToyGrid(backend, {
    rules,
    sigmas,
    flipProbabilities: flips,
    repetitions: config.repetitions,
    steps: config.steps,
    batch: config.batch,
    seed: config.seed,
    pastOutput: parsePastOutput(config.pastOutput),
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const rows: Record<string, unknown>[] = [];
  const summaries = cells.map(summarizeCell);
  for (const s of summaries) {
    for (const metric of ["selectivity", "alignment"] as const) {
      const m = s[metric];
      if (!Number.isFinite(m.mean)) continue;
      rows.push({
        rule: TOY_RULE_NAMES[s.rule],
        p: `p = ${s.flipProbability}`,
        metric: metric === "selectivity" ? "x-selectivity" : "alignment |w1|/|w|",
        sigmaY: s.sigmaY,
        mean: m.mean,
        low: m.mean - m.std,
        high: m.mean + m.std,
      });
    }
  }
  const byRule = rules.flatMap((rule) =>
    flips.map((p) => {
      const mine = cells.filter((c) => c.rule === rule && c.flipProbability === p);
      const pooled = (keep: (s: number) => boolean) =>
        summarizeRepetitions(mine.filter((c) => keep(c.sigmaY)).flatMap((c) => c.selectivity));
      const small = pooled((s) => s <= 0.3), large = pooled((s) => s >= 3);
      return {
        rule,
        flipProbability: p,
        selectivitySigmaUpTo0p3: round4(small.mean),
        selectivitySigmaFrom3: round4(large.mean),
        divergedRuns: mine.reduce((a, c) => a + c.selectivity.filter((v) => !Number.isFinite(v)).length, 0),
      };
    })
  );
  const names = rules.map((r) => TOY_RULE_NAMES[r]);
  const color = {
    field: "rule",
    type: "nominal" as const,
    scale: { domain: names, range: rules.map((r) => TOY_RULE_COLORS[r]) },
  };
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: "Toy 2-D neuron: x-selectivity and alignment against sigma_y (mean +- std over repetitions)",
    description:
      `F4.1 (paper Fig. 2): ${names.join(", ")}; ${config.points} sigma_y x ${config.repetitions} ` +
      `repetitions, ${config.steps} steps of ${config.batch} samples; columns: cluster-flip probability p`,
    data: { values: rows },
    facet: {
      row: { field: "metric", type: "nominal", title: null },
      column: { field: "p", type: "nominal", title: null },
    },
    spec: {
      width: 300,
      height: 180,
      layer: [
        {
          mark: { type: "errorband", opacity: 0.25 },
          encoding: {
            x: { field: "sigmaY", type: "quantitative", scale: { type: "log" } },
            y: { field: "low", type: "quantitative" },
            y2: { field: "high" },
            color,
          },
        },
        {
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "sigmaY", type: "quantitative", scale: { type: "log" }, title: "sigma_y" },
            y: { field: "mean", type: "quantitative", scale: { domain: [0, 1.2] }, title: null },
            color,
            strokeDash: {
              field: "rule",
              type: "nominal",
              scale: { domain: names, range: rules.map((r) => (r === "oja" ? [4, 3] : [1, 0])) },
              legend: null,
            },
          },
        },
      ],
    },
  };
  return {
    spec,
    summary: {
      config,
      backend: backend.description,
      sequences,
      dispatches,
      trainSeconds: round4(trainSeconds),
      selectivityCeiling: "about 0.73 at w = (1, 0) (spec Errata 3)",
      byRule,
      cells: summaries.map((s) => ({
        rule: s.rule,
        p: s.flipProbability,
        sigmaY: round4(s.sigmaY),
        selectivity: round4(s.selectivity.mean),
        selectivityStd: round4(s.selectivity.std),
        alignment: round4(s.alignment.mean),
        diverged: s.selectivity.diverged,
      })),
    },
  };
}

if (import.meta.main) {
  await figureMain<LplFig1Config>({
    name: "lpl_fig1_selectivity",
    description: "toy 2-D neuron: x-selectivity against sigma_y for LPL, Pred-off and Oja (paper Fig. 2)",
    options: {
      rules: {
        type: "string",
        description: "rules, comma-separated (lpl,predOff,hebbOff,naiveVar,vicregVar,oja)",
      },
      points: { type: "number", description: "number of sigma_y values (log-spaced)" },
      sigmaMinExponent: { type: "number", description: "smallest sigma_y = 10^this" },
      sigmaMaxExponent: { type: "number", description: "largest sigma_y = 10^this" },
      flips: { type: "string", description: "cluster-flip probabilities, comma-separated" },
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
