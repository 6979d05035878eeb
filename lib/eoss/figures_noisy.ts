/**
 * Runs of the noisy-GD baselines and the SGD SDE with the measurements of an SGD run (F3.5: "SGD = GD +
 * noise?"): the same model, data, seeds and cadence as {@linkcode runEossTraining} (lib/eoss/training.ts),
 * but each step is a full-batch step of lib/eoss/noisy_gd.ts `NoisyGd` or lib/eoss/sde.ts `SgdSde`
 * modelling SGD's noise at batch size `config.optimizer.batchSize`; measurements (lib/eoss/
 * training_measure.ts) run on the parameters before each step, batch sharpness at that b. Step sharpness
 * has no live batch here and is skipped.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { Optimizer } from "../optim/optimizer.ts";
import { MEASUREMENT_NAMES, type MeasurementName, measurementsDue } from "./cadence.ts";
import { figureModel } from "./figures.ts";
import { emptyRow, type EossRow } from "./metrics.ts";
import { type GdNoise, NoisyGd } from "./noisy_gd.ts";
import { type PlateauSummary, plateauSummary } from "./plateau.ts";
import { SgdSde } from "./sde.ts";
import { checkEossConfig, type EossTrainingConfig } from "./training_config.ts";
import type { EossData } from "./training_data.ts";
import { type MeasureContext, measureStep } from "./training_measure.ts";

/** Which full-batch dynamics replaces SGD. */
export type NoisyDynamics =
  | { kind: "noisy"; noise: GdNoise; sigma?: number; statisticsEvery?: number }
  | { kind: "sde"; h?: number };

/** What a noisy run did. */
export interface NoisyRunResult {
  rows: EossRow[];
  /** "complete", or "diverged" at a non-finite full loss. */
  status: "complete" | "diverged";
  steps: number;
  plateau: PlateauSummary;
  /** Seconds: the steps and the measurements. */
  seconds: { steps: number; measurements: number };
}

/** A short label of the dynamics ("noisy GD (sgd)", "SDE (h = eta/4)"). */
export function dynamicsLabel(d: NoisyDynamics, eta: number): string {
  if (d.kind === "noisy") return `noisy GD (${d.noise})`;
  const k = Math.round(eta / (d.h ?? eta));
  return k === 1 ? "SDE (h = eta)" : `SDE (h = eta/${k})`;
}

/**
 * Runs `config`'s steps with noisy GD or the SDE in place of SGD (data preloaded).
 *
 * @param config The run's settings (optimizer.batchSize: the b whose noise is modelled).
 * @param dynamics The noise kind or the SDE step.
 * @param options Backend, data, a row callback.
 */
export async function runNoisyTraining(
  config: EossTrainingConfig,
  dynamics: NoisyDynamics,
  options: { backend: Backend; data: EossData; onMeasurement?: (row: EossRow) => void },
): Promise<NoisyRunResult> {
  checkEossConfig(config);
  const { backend, data } = options, o = config.optimizer;
  const model = figureModel(config, data, backend);
  const x = backend.tensor(data.x, [data.n, data.inputs]), y = backend.tensor(data.y, [data.n, data.classes]);
  const params = model.init(config.seeds.init);
  const seed = (config.seeds.order ^ 0x5eed) >>> 0;
  const stepper = dynamics.kind === "noisy"
    ? new NoisyGd(model, x, y, {
      noise: dynamics.noise,
      learningRate: o.learningRate,
      batchSize: o.batchSize,
      seed,
      sigma: dynamics.sigma,
      statisticsEvery: dynamics.statisticsEvery,
    })
    : new SgdSde(model, x, y, { learningRate: o.learningRate, batchSize: o.batchSize, h: dynamics.h, seed });
  const optimizer = new Optimizer(backend, model.layout, { kind: "sgd", lr: o.learningRate });
  const seconds = Object.fromEntries(MEASUREMENT_NAMES.map((k) => [k, 0])) as Record<MeasurementName, number>;
  const context: MeasureContext = {
    problem: { model, params, x, y },
    config,
    labels: data.labels,
    classes: data.classes,
    optimizer,
    seconds,
  };
  const rows: EossRow[] = [], empty = new Uint32Array(0);
  let status: NoisyRunResult["status"] = "complete", step = 0, stepSeconds = 0;
  try {
    for (; step < o.steps; step++) {
      const due = measurementsDue(config.cadences, step, config.rareMeasure).filter((m) =>
        m !== "stepSharpness"
      );
      if (due.length > 0) {
        const row = emptyRow(0, step);
        await measureStep(context, row, due, empty);
        rows.push(row);
        options.onMeasurement?.(row);
        if (due.includes("fullLoss") && !Number.isFinite(row.full_loss)) {
          status = "diverged";
          break;
        }
      }
      const t0 = performance.now();
      await stepper.step(params, step);
      stepSeconds += (performance.now() - t0) / 1000;
    }
    return {
      rows,
      status,
      steps: step,
      plateau: plateauSummary(rows, o.learningRate),
      seconds: { steps: stepSeconds, measurements: Object.values(seconds).reduce((s, v) => s + v, 0) },
    };
  } finally {
    if (context.lambdaVector) backend.dispose(context.lambdaVector);
    stepper.dispose();
    optimizer.dispose();
    backend.dispose(params, x, y);
    model.dispose();
  }
}
