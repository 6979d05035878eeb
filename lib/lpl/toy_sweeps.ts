/**
 * Sweeps of the toy neuron for the figures: every (rule, sigma_y, p) cell x repetition trained in one
 * {@linkcode trainToyNeurons} call, then measured.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { type ToyRule, toySetting, type ToySettingOptions, trainToyNeurons } from "./toy_neuron.ts";
import type { PastOutput } from "../../kernels/lpl/toy_neuron_types.ts";
import { type RepetitionSummary, summarizeRepetitions, toyNeuronMetrics } from "./toy_metrics.ts";

/** n points from 10^a to 10^b (numpy's logspace). */
export function logspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => 10 ** (n === 1 ? a : a + (b - a) * i / (n - 1)));
}

/** n points from a to b inclusive (numpy's linspace). */
export function linspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? a : a + (b - a) * i / (n - 1)));
}

/** One cell of a sweep and its measurements per repetition. */
export interface ToyCell {
  rule: ToyRule;
  sigmaY: number;
  flipProbability: number;
  selectivity: number[];
  alignment: number[];
  /** Mean |y| records per repetition. */
  activity: number[][];
}

/** What {@linkcode runToyGrid} trains. */
export interface ToyGrid {
  rules: readonly ToyRule[];
  sigmas: readonly number[];
  flipProbabilities: readonly number[];
  repetitions: number;
  steps: number;
  batch: number;
  seed: number;
  /** Records of mean |y| (steps / recordEvery per repetition); default one at the end. */
  recordEvery?: number;
  /** Per-rule setting overrides (learning rate, weight decay, past output). */
  options?: Partial<Record<ToyRule, ToySettingOptions>>;
  /** The predictive term's past output for every rule (default "recomputed", the toy notebook; Errata 6). */
  pastOutput?: PastOutput;
}

/**
 * Trains the grid rules x p x sigma_y x repetitions in one batched run and measures every sequence.
 *
 * @param backend Where to train.
 * @param grid The grid.
 * @returns The cells (rule-major, then p, then sigma_y) and the trainer's dispatch count.
 */
export async function runToyGrid(
  backend: Backend,
  grid: ToyGrid,
): Promise<{ cells: ToyCell[]; dispatches: number; sequences: number }> {
  const keys = grid.rules.flatMap((rule) =>
    grid.flipProbabilities.flatMap((p) => grid.sigmas.map((sigmaY) => ({ rule, sigmaY, flipProbability: p })))
  );
  const settings = keys.map((k) =>
    toySetting(k.rule, k.sigmaY, {
      pastOutput: grid.pastOutput,
      ...grid.options?.[k.rule],
      flipProbability: k.flipProbability,
    })
  );
  const recordEvery = grid.recordEvery ?? grid.steps;
  const result = await trainToyNeurons(backend, {
    settings,
    repetitions: grid.repetitions,
    batch: grid.batch,
    steps: grid.steps,
    recordEvery,
    seed: grid.seed,
  });
  const metrics = toyNeuronMetrics(result.weights, keys.map((k) => k.sigmaY), grid.repetitions, grid.seed);
  const cells = keys.map((k, i) => ({
    ...k,
    selectivity: metrics.selectivity[i],
    alignment: metrics.alignment[i],
    activity: Array.from({ length: grid.repetitions }, (_, r) => {
      const q = i * grid.repetitions + r;
      return Array.from(result.activity.subarray(q * result.records, (q + 1) * result.records));
    }),
  }));
  return { cells, dispatches: result.dispatches, sequences: settings.length * grid.repetitions };
}

/** Mean / std over repetitions of a cell's selectivity and alignment. */
export function summarizeCell(cell: ToyCell): {
  rule: ToyRule;
  sigmaY: number;
  flipProbability: number;
  selectivity: RepetitionSummary;
  alignment: RepetitionSummary;
} {
  return {
    rule: cell.rule,
    sigmaY: cell.sigmaY,
    flipProbability: cell.flipProbability,
    selectivity: summarizeRepetitions(cell.selectivity),
    alignment: summarizeRepetitions(cell.alignment),
  };
}

/** Rounds for summaries (4 significant digits; non-finite values become null). */
export function round4(v: number): number | null {
  return Number.isFinite(v) ? Number(v.toPrecision(4)) : null;
}

/** Colours of the rules (F4.1: LPL orange, Pred-off grey, Oja black). */
export const TOY_RULE_COLORS: Record<ToyRule, string> = {
  lpl: "#e67e22",
  predOff: "#8c8c8c",
  hebbOff: "#2e86c1",
  naiveVar: "#8e44ad",
  vicregVar: "#27ae60",
  oja: "#000000",
};
