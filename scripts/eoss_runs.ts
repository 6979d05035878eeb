/**
 * What the EoSS study scripts (`eoss_fidelity.ts`, `eoss_edge.ts`) share: seed k's four seeds, and a run
 * directory of `eoss_train.ts` that is run once and read afterwards (a diverged run included, from its
 * partial metrics.jsonl), so a study can be resumed run by run.
 *
 * @module
 */
import { RunFailedError } from "../lib/cli.ts";
import { readMetrics } from "../lib/io/metrics.ts";
import { type EossRow, rowFromJson } from "../lib/eoss/metrics.ts";
import { plateauSummary } from "../lib/eoss/plateau.ts";
import type { EossSummary } from "../lib/eoss/training.ts";
import { type EossTrainFlags, run as runTraining } from "./eoss_train.ts";

/** Seed k of a study: every source of randomness shifted by k (data subset, init, batch order, measurements). */
export function studySeeds(
  k: number,
): Pick<EossTrainFlags, "dataSeed" | "initSeed" | "orderSeed" | "measureSeed"> {
  return { dataSeed: 1011 + k, initSeed: 1312 + k, orderSeed: 111 + k, measureSeed: 8312 + k };
}

/** The summary of a run that diverged at `step`, from its partial rows. */
function divergedSummary(rows: EossRow[], learningRate: number, step: number): EossSummary {
  const last = rows.findLast((r) => Number.isFinite(r.full_loss));
  const zero = {
    fullLoss: 0,
    lambdaMax: 0,
    batchSharpness: 0,
    stepSharpness: 0,
    gni: 0,
    trace: 0,
    secondMoment: 0,
  };
  return {
    status: "diverged",
    startStep: 0,
    steps: step,
    divergedAt: step,
    finalFullLoss: last?.full_loss ?? NaN,
    finalAccuracy: last?.accuracy ?? NaN,
    plateau: plateauSummary(rows, learningRate),
    dataSource: "full",
    parameters: NaN,
    backend: "",
    seconds: { setup: NaN, training: NaN, measurements: zero, total: NaN },
  };
}

const readJson = (path: string, reviver?: (key: string, value: unknown) => unknown) =>
  Deno.readTextFile(path).then((text) => JSON.parse(text, reviver), () => null);
/** done.json was written by JSON.stringify, which stores NaN (a quantity never measured) as null. */
const nullAsNaN = (_key: string, value: unknown) => value === null ? NaN : value;

/**
 * Runs `flags` into `dir` unless the directory holds a finished (`done.json`) or diverged (`failed.json`) run,
 * which is read instead; an unfinished directory is removed and run again. A run that diverges is a result,
 * not an error. Says `<dir>: running`, `<dir>: read` or `<dir>: read (diverged)` through `print`.
 *
 * @param progress The run's progress bar (`eoss_train.ts`'s option).
 * @returns The run's measured rows and its summary.
 */
export async function runOrReadEossRun(
  dir: string,
  flags: EossTrainFlags,
  print: (line: string) => void,
  progress: "auto" | "quiet" = "auto",
): Promise<{ rows: EossRow[]; summary: EossSummary }> {
  let done: EossSummary | null = await readJson(`${dir}/done.json`, nullAsNaN);
  const failed = await readJson(`${dir}/failed.json`);
  if (done || failed) {
    print(`${dir}: read${failed ? " (diverged)" : ""}`);
  } else {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    print(`${dir}: running`);
    try {
      done = (await runTraining(flags, { out: dir, print: () => {}, progress })).summary;
    } catch (error) {
      if (!(error instanceof RunFailedError)) throw error;
    }
  }
  const rows = (await readMetrics(`${dir}/metrics.jsonl`)).map(rowFromJson);
  if (done) return { rows, summary: done };
  const step = (failed ?? await readJson(`${dir}/failed.json`))?.step ?? rows.at(-1)?.step ?? 0;
  return { rows, summary: divergedSummary(rows, flags.learningRate, step) };
}
