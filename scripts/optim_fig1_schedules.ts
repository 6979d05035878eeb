/**
 * Figure 1 of the optimizer library: the learning-rate schedules of lib/optim/schedules.ts as the factor of
 * the base lr by step (constant, step decay, exponential, cosine with linear warmup, one-cycle, and a joined
 * schedule: warmup then exponential decay). The summary checks each curve against its closed form at a few
 * steps (the largest absolute difference).
 *
 * Run: `deno run -A scripts/optim_fig1_schedules.ts` (well under a second; no GPU involved).
 *
 * @module
 */
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import {
  constantSchedule,
  cosineSchedule,
  exponentialSchedule,
  joinSchedules,
  oneCycleSchedule,
  type Schedule,
  stepSchedule,
} from "../lib/optim/schedules.ts";

/** Configuration of the schedules figure. */
export interface SchedulesConfig extends Record<string, unknown> {
  /** Steps of every schedule. */
  total: number;
  /** Warmup steps of the cosine and joined schedules. */
  warmup: number;
}

/** Quick scale (the figure is cheap at any scale). */
export const defaultConfig: SchedulesConfig = { total: 1000, warmup: 100 };
/** Tiny scale for tests. */
export const testConfig: SchedulesConfig = { total: 50, warmup: 5 };

/** The schedules drawn, by label. */
export function figureSchedules(config: SchedulesConfig): Record<string, Schedule> {
  const { total, warmup } = config;
  return {
    constant: constantSchedule(),
    [`step (every ${Math.floor(total / 4)}, gamma 0.5)`]: stepSchedule({
      every: Math.floor(total / 4),
      gamma: 0.5,
    }),
    [`exponential (gamma ${(0.01 ** (1 / total)).toFixed(5)})`]: exponentialSchedule({
      gamma: 0.01 ** (1 / total),
    }),
    [`cosine, ${warmup} warmup steps`]: cosineSchedule({ total, warmup }),
    "one-cycle (torch defaults)": oneCycleSchedule({ total }),
    "warmup then exponential": joinSchedules(
      [
        cosineSchedule({ total: 2 * warmup, warmup, floor: 1 }),
        exponentialSchedule({ gamma: 0.01 ** (1 / total) }),
      ],
      [warmup],
    ),
  };
}

/**
 * Evaluates the schedules and builds the figure.
 *
 * @param config The configuration.
 * @returns The Vega-Lite spec and the summary.
 */
export function run(config: SchedulesConfig = defaultConfig): Promise<FigureResult> {
  const { total, warmup } = config;
  const schedules = figureSchedules(config);
  const every = Math.max(1, Math.floor(total / 250));
  const rows: Record<string, unknown>[] = [];
  for (const [schedule, s] of Object.entries(schedules)) {
    for (let step = 0; step <= total; step += every) rows.push({ schedule, step, factor: s(step) });
  }
  // Closed forms at a few steps.
  const cosine = Object.values(schedules)[3], cycle = Object.values(schedules)[4];
  const checks = [
    [cosine(Math.floor(warmup / 2)), Math.floor(warmup / 2) / warmup],
    [cosine(warmup), 1],
    [
      cosine(Math.round((warmup + total) / 2)),
      (1 + Math.cos(Math.PI * (Math.round((warmup + total) / 2) - warmup) / (total - warmup))) / 2,
    ],
    [cycle(0), 1 / 25],
    [cycle(total - 1), 1 / 25 / 1e4],
  ];
  const closedFormMaxDifference = Math.max(...checks.map(([got, want]) => Math.abs(got - want)));
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Learning-rate schedules (factor of the base lr), ${total} steps`,
    description: "lib/optim schedules: constant, step, exponential, cosine with warmup, one-cycle, joined",
    data: { values: rows },
    width: 420,
    height: 240,
    mark: { type: "line" },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step" },
      y: { field: "factor", type: "quantitative", title: "lr factor" },
      color: { field: "schedule", type: "nominal", title: null },
    },
  };
  return Promise.resolve({
    spec,
    summary: { config, schedules: Object.keys(schedules), closedFormMaxDifference },
  });
}

if (import.meta.main) {
  await figureMain<SchedulesConfig>({
    name: "optim_fig1_schedules",
    description: "learning-rate schedules of lib/optim as functions of the step",
    options: {
      total: { type: "number", description: "steps of every schedule" },
      warmup: { type: "number", description: "warmup steps of the cosine and joined schedules" },
    },
    defaultConfig,
    testConfig,
    run,
  });
}
