/**
 * Multi-walker online SGD on a He3 teacher (relu student, correlation loss, spherical, lr / d steps):
 * walker-steps per second of the fused kernels (kernels/teacher_student/teacher_student_sgd.wgsl, thread per
 * walker; kernels/teacher_student/teacher_student_sgd_workgroup.wgsl, workgroup per walker with the adapter's
 * threads per walker, lib/teacher_student/kernel_choice.ts) against a baseline measured in the same run that
 * does what the original Python does, one sample per walker per step and a step at a time, in plain
 * TypeScript typed arrays with the same Philox stream.
 *
 * Rows: d in {200, 1000} x walkers in {1, 16, 256, 4096}, 1000 steps (`--quick`: d = 200, walkers
 * {16, 256}, 200 steps; `--steps=N`, `--d=200,1000`, `--walkers=1,16` override). The baseline's cost per
 * walker-step does not depend on the number of walkers, so it runs as many walker-steps as fit in about
 * a second (`baselineWalkerSteps` says how many), three times, and its fastest rate is the row's baseline.
 * `--cache-rows` adds rows of the thread kernel with each walker's rows cached in invocation memory (the
 * variant `TEACHER_STUDENT_CACHE_ROWS=1` selects; off by default, see `teacherStudentCacheRows`), so the
 * default and the cached kernel are compared in the same run.
 *
 * @module
 */
import { acquireGpu } from "../lib/gpu/device.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { Perceptron } from "../lib/teacher_student/samplers.ts";
import { runTeacherStudent } from "../lib/teacher_student/trainer.ts";
import { teacherStudentThreadsPerWalker } from "../lib/teacher_student/kernel_choice.ts";
import { initializeWeights } from "../lib/teacher_student/init.ts";
import { FRESH_STREAM } from "../lib/teacher_student/philox_layout.ts";
import { normalPairFromU32, philox4x32_10 } from "../lib/rng/philox.ts";
import { type BenchOptions, type BenchRow, compared } from "./_harness.ts";

export const description =
  "teacher-student online SGD, walker-steps/s: fused thread-per-walker and workgroup-per-walker kernels vs a plain-TypeScript per-step loop";

const LEARNING_RATE = 0.5;
const INV_SQRT6 = 1 / Math.sqrt(6);

/**
 * The baseline: the original's loop in plain TypeScript. Per step and walker: draw x from the fresh
 * stream, y = He3(u.x) / sqrt(6), grad = -y relu'(w.x) (x - (w.x) w), w -= (lr / d) grad, w /= |w|.
 */
function baselineRun(
  u: Float64Array,
  w0: Float64Array,
  walkers: number,
  steps: number,
  seed: number,
): number {
  const d = u.length, eta = LEARNING_RATE / d;
  const x = new Float64Array(d);
  let checksum = 0;
  for (let k = 0; k < walkers; k++) {
    const w = w0.slice(k * d, (k + 1) * d);
    for (let s = 0; s < steps; s++) {
      for (let b = 0; 4 * b < d; b++) {
        const r = philox4x32_10(seed, FRESH_STREAM, b, s, k, 0);
        const [z0, z1] = normalPairFromU32(r[0], r[1]);
        const [z2, z3] = normalPairFromU32(r[2], r[3]);
        x[4 * b] = z0;
        if (4 * b + 1 < d) x[4 * b + 1] = z1;
        if (4 * b + 2 < d) x[4 * b + 2] = z2;
        if (4 * b + 3 < d) x[4 * b + 3] = z3;
      }
      let h = 0, hu = 0;
      for (let i = 0; i < d; i++) {
        h += w[i] * x[i];
        hu += u[i] * x[i];
      }
      const y = (hu * hu * hu - 3 * hu) * INV_SQRT6;
      const c = h > 0 ? -y : 0;
      let norm = 0;
      for (let i = 0; i < d; i++) {
        w[i] -= eta * c * (x[i] - h * w[i]);
        norm += w[i] * w[i];
      }
      const r = 1 / Math.sqrt(norm);
      for (let i = 0; i < d; i++) w[i] *= r;
    }
    checksum += w[0];
  }
  return checksum;
}

function list(arg: string | boolean | undefined, fallback: number[]): number[] {
  return typeof arg === "string" ? arg.split(",").map(Number) : fallback;
}

export async function* run(options: BenchOptions): AsyncGenerator<BenchRow> {
  const gpu = await acquireGpu();
  const backend = new WebGpuBackend(gpu);
  const adapter = gpu.facts.description;
  const steps = Number(options.args.steps ?? (options.quick ? 200 : 1000));
  const dims = list(options.args.d, options.quick ? [200] : [200, 1000]);
  const walkerCounts = list(options.args.walkers, options.quick ? [16, 256] : [1, 16, 256, 4096]);
  const seed = 1;
  for (const d of dims) {
    const model = new Perceptron({ d, seed, activation: "he3" });
    // Baseline: a warm-up (JIT), then three timings of `steps` steps of as many walkers as fit in about a
    // second; the fastest counts (the ratios are conservative: the fused rows are timed once).
    const probeSteps = Math.min(steps, 100);
    baselineRun(model.direction, initializeWeights(model.direction, 1, seed), 1, probeSteps, seed);
    let t0 = performance.now();
    baselineRun(model.direction, initializeWeights(model.direction, 1, seed), 1, probeSteps, seed);
    const perWalkerStep = (performance.now() - t0) / 1000 / probeSteps;
    const baselineWalkers = Math.max(1, Math.round((options.quick ? 0.3 : 1) / perWalkerStep / steps));
    const w0 = initializeWeights(model.direction, baselineWalkers, seed);
    const baselineSteps = baselineWalkers * steps;
    let baseRate = 0;
    for (let repeat = 0; repeat < 3; repeat++) {
      t0 = performance.now();
      baselineRun(model.direction, w0, baselineWalkers, steps, seed);
      baseRate = Math.max(baseRate, baselineSteps / ((performance.now() - t0) / 1000));
    }
    const base: BenchRow = {
      bench: "teacher_student",
      variant: "typescript-per-step",
      value: baseRate,
      unit: "walker-steps/s",
      d,
      baselineWalkerSteps: baselineSteps,
    };
    yield base;
    const cacheRows = options.args["cache-rows"] === true || options.args["cache-rows"] === "true";
    const kernels = cacheRows
      ? ["thread", "workgroup", "thread-cached"] as const
      : ["thread", "workgroup"] as const;
    for (const walkers of walkerCounts) {
      for (const variant of kernels) {
        const kernel = variant === "thread-cached" ? "thread" : variant;
        // The cache is chosen from the environment when the kernel is recorded (teacherStudentCacheRows).
        if (cacheRows) Deno.env.set("TEACHER_STUDENT_CACHE_ROWS", variant === "thread-cached" ? "1" : "0");
        const config = {
          model,
          student: "relu" as const,
          loss: "corr" as const,
          learningRate: LEARNING_RATE,
          walkers,
          steps,
          saveTimes: [steps],
          kernel,
        };
        await runTeacherStudent(backend, {
          ...config,
          steps: Math.min(steps, 20),
          saveTimes: [Math.min(steps, 20)],
        });
        const t = performance.now();
        const result = await runTeacherStudent(backend, config);
        const seconds = (performance.now() - t) / 1000;
        yield compared({
          bench: "teacher_student",
          variant: variant === "thread-cached"
            ? "fused-thread-per-walker-rows-cached"
            : `fused-${kernel}-per-walker`,
          value: (walkers * steps) / seconds,
          unit: "walker-steps/s",
          d,
          walkers,
          threadsPerWalker: kernel === "thread" ? 1 : teacherStudentThreadsPerWalker(gpu),
          steps,
          dispatches: result.dispatches,
          seconds,
          adapter,
        }, base);
      }
    }
  }
}
