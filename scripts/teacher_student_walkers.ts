/**
 * Many walkers of teacher-student SGD (lib/teacher_student/trainer.ts) for a few steps: the scale check of the
 * batched trainer. Walkers run in batches, each to its last step before the next starts, so host memory is one
 * batch plus the observables (|m| per walker and save time); the final weights are not kept.
 *
 * ```
 * deno run -A scripts/teacher_student_walkers.ts --walkers 1000000 --d 1000 --steps 4
 * deno run -A scripts/teacher_student_walkers.ts --walkers 1000000 --d 1000 --walker-batch 20000
 * ```
 *
 * He3 teacher (perceptron), relu student, correlation loss, spherical online SGD at lr 0.5. Prints a JSON
 * summary: batches, walltime, walker-steps per second, mean |m| at step 0 and at the last step.
 *
 * @module
 */
import { type CliSpec, COMMON_OPTIONS, runCli } from "../lib/cli.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import { Perceptron } from "../lib/teacher_student/samplers.ts";
import {
  runTeacherStudent,
  type TeacherStudentConfig,
  walkerBatches,
} from "../lib/teacher_student/trainer.ts";
import { meanAbsOverlap } from "../lib/teacher_student/observables.ts";

/** The command line. */
export const CLI: CliSpec = {
  usage: "deno run -A scripts/teacher_student_walkers.ts",
  description:
    "many walkers of teacher-student SGD for a few steps, batch by batch (the trainer's scale check)",
  options: {
    walkers: { type: "number", default: 10000, description: "walkers", integer: true, min: 1 },
    d: { type: "number", default: 1000, description: "dimension", integer: true, min: 1 },
    steps: { type: "number", default: 4, description: "SGD steps", integer: true, min: 1 },
    walkerBatch: {
      type: "number",
      default: 0,
      description: "walkers per batch (0: as many as the device limits and 2 GiB of host memory allow)",
      integer: true,
      min: 0,
    },
    kernel: {
      type: "string",
      default: "thread",
      description: "fused kernel on webgpu",
      choices: ["auto", "thread", "workgroup"],
    },
    seed: COMMON_OPTIONS.seed,
    backend: COMMON_OPTIONS.backend,
  },
};

if (import.meta.main) {
  await runCli(CLI, async (o) => {
    const walkers = Number(o.walkers), d = Number(o.d), steps = Number(o.steps);
    const walkersPerBatch = Number(o.walkerBatch) || undefined;
    const backend = await getBackend(String(o.backend) as BackendChoice);
    const config: TeacherStudentConfig = {
      model: new Perceptron({ d, seed: Number(o.seed) }),
      student: "relu",
      loss: "corr",
      learningRate: 0.5,
      walkers,
      steps,
      saveTimes: [0, steps],
      kernel: String(o.kernel) as "auto",
      walkersPerBatch,
      finalWeights: false,
    };
    const batches = walkerBatches(backend, config);
    const started = performance.now();
    const result = await runTeacherStudent(backend, config);
    const seconds = (performance.now() - started) / 1000;
    const { mean } = meanAbsOverlap(result.overlap, walkers);
    console.log(JSON.stringify(
      {
        backend: backend.name,
        walkers,
        d,
        steps,
        batches: batches.length,
        walkersPerBatch: batches[0].count,
        dispatches: result.dispatches,
        walltimeSeconds: Number(seconds.toFixed(2)),
        walkerStepsPerSecond: Math.round(walkers * steps / seconds),
        meanAbsOverlap: { step0: mean[0], [`step${steps}`]: mean[1] },
      },
      null,
      2,
    ));
  });
}
