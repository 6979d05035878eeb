/**
 * Runs of the noisy-GD baselines and the SGD SDE with the measurements of an SGD run (F3.5: "SGD = GD +
 * noise?"): lib/eoss/training.ts `runEossTraining` with its replacement update (`EossRunOptions.update`),
 * so the model, data, seeds, cadence, measurements, stop rules and summary are the SGD run's, but each step
 * is a full-batch step of lib/eoss/noisy_gd.ts `NoisyGd` or lib/eoss/sde.ts `SgdSde` modelling SGD's noise
 * at batch size `config.optimizer.batchSize` (batch sharpness is measured at that b). The engine still
 * evaluates each step's live batch (unused here: step sharpness on it means nothing for GD; leave its
 * cadence off).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { EossRow } from "./metrics.ts";
import { type GdNoise, NoisyGd } from "./noisy_gd.ts";
import type { PlateauSummary } from "./plateau.ts";
import { SgdSde } from "./sde.ts";
import { runEossTraining } from "./training.ts";
import type { EossTrainingConfig } from "./training_config.ts";
import type { EossData } from "./training_data.ts";
import type { EossStatus, EossSummary } from "./training_result.ts";

/** Which full-batch dynamics replaces SGD. */
export type NoisyDynamics =
  | { kind: "noisy"; noise: GdNoise; sigma?: number; statisticsEvery?: number }
  | { kind: "sde"; h?: number };

/** What a noisy run did. */
export interface NoisyRunResult {
  rows: EossRow[];
  status: EossStatus;
  steps: number;
  plateau: PlateauSummary;
  /** The engine's seconds (`training` holds the noisy steps). */
  seconds: EossSummary["seconds"];
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
  const o = config.optimizer, seed = (config.seeds.order ^ 0x5eed) >>> 0;
  let stepper: NoisyGd | SgdSde | undefined;
  try {
    const result = await runEossTraining(config, {
      backend: options.backend,
      data: options.data,
      onMeasurement: options.onMeasurement,
      update: async ({ model, x, y, params, step }) => {
        stepper ??= dynamics.kind === "noisy"
          ? new NoisyGd(model, x, y, {
            noise: dynamics.noise,
            learningRate: o.learningRate,
            batchSize: o.batchSize,
            seed,
            sigma: dynamics.sigma,
            statisticsEvery: dynamics.statisticsEvery,
          })
          : new SgdSde(model, x, y, {
            learningRate: o.learningRate,
            batchSize: o.batchSize,
            h: dynamics.h,
            seed,
          });
        await stepper.step(params, step);
      },
    });
    const s = result.summary;
    return { rows: result.rows, status: s.status, steps: s.steps, plateau: s.plateau, seconds: s.seconds };
  } finally {
    stepper?.dispose();
  }
}
