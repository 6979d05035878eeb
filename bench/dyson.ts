/**
 * Seed-epochs per second of the Dyson line's fused ensemble trainers against a baseline in the
 * same run that trains one seed at a time in plain TypeScript with the same Philox stream (the
 * float64 references, as the original trains one seed at a time).
 *
 * - rbm: Gaussian RBM, N_v = N_h = 10, k = 3, |B| = 16 (the paper's setting), one setting.
 * - ts: 2x2 teacher-student, |B| = 16, eps = 0.1, one setting; a "seed-epoch" is one SGD step.
 * - rbm-full-setting-estimate: hours for one full-scale SRBM setting (7500 seeds x 100k epochs)
 *   from the throughput measured at 7500 seeds.
 *
 * - jacobi: eigenvalues of the 10 x 10 W^T W of 7500 seeds (one SRBM setting) with the batched
 *   float32 Jacobi kernel against the float64 Jacobi one matrix at a time.
 *
 * `--seeds=1000,4000` picks the GPU ensemble sizes.
 *
 * @module
 */
import { getBackend } from "../lib/backend/select.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { freeFieldKernel } from "../lib/dyson/free_field.ts";
import { type GaussianRbmConfig, planGaussianRbm } from "../lib/dyson/gaussian_rbm.ts";
import { runGaussianRbm } from "../lib/dyson/rbm_trainer.ts";
import { initialRbmState, rbmSeedReference } from "../lib/dyson/gaussian_rbm_reference.ts";
import {
  planTeacherStudentEnsemble,
  type TeacherStudentEnsembleConfig,
} from "../lib/dyson/teacher_student.ts";
import { runTeacherStudentEnsemble } from "../lib/dyson/ts_trainer.ts";
import { initialTsState, tsSeedReference } from "../lib/dyson/teacher_student_reference.ts";
import { type BenchOptions, type BenchRow, compared } from "./_harness.ts";
import { batchedSymmetricEigen, gramMatrices } from "../lib/dyson/batched_eigen.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";

export const description =
  "Dyson ensembles: fused RBM / teacher-student seed-epochs/s vs one seed at a time in TypeScript";

const RBM: GaussianRbmConfig = {
  visible: 10,
  hidden: 10,
  targetKernel: freeFieldKernel(10, 2),
  settings: [{ learningRate: 0.1, batchSize: 16 }],
  seeds: 1,
  epochs: 1,
  seed: 1,
};

const TS: TeacherStudentEnsembleConfig = {
  settings: [{ learningRate: 0.1, batchSize: 16, noise: 0.1 }],
  seeds: 1,
  epochs: 1,
  batchesPerEpoch: 500,
  seed: 1,
};

async function seconds(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

export async function* run(options: BenchOptions): AsyncGenerator<BenchRow> {
  const backend = await getBackend("webgpu");
  if (!(backend instanceof WebGpuBackend)) throw new Error("bench dyson needs a WebGPU adapter");
  const adapter = backend.description;
  const seedCounts = typeof options.args.seeds === "string"
    ? options.args.seeds.split(",").map(Number)
    : options.quick
    ? [256]
    : [1000, 4000];

  // Baseline: one seed at a time, float64 TypeScript, same Philox draws.
  const baseEpochs = options.quick ? 100 : 400;
  const rbmPlan = planGaussianRbm({ ...RBM, seeds: 2, epochs: baseEpochs });
  const rbmState = initialRbmState(rbmPlan);
  const rbmBaseSeconds = await seconds(() => {
    for (let seed = 0; seed < 2; seed++) rbmSeedReference(rbmPlan, rbmState, seed, 0, baseEpochs);
  });
  const rbmBase: BenchRow = {
    bench: "dyson",
    variant: "rbm-typescript-one-seed",
    value: 2 * baseEpochs / rbmBaseSeconds,
    unit: "seed-epochs/s",
    seeds: 1,
    batch: 16,
  };
  yield rbmBase;
  const rbmEpochs = options.quick ? 42 : 168;
  await runGaussianRbm(backend, { ...RBM, seeds: 2, epochs: 2 }); // compile
  for (const seeds of seedCounts) {
    const t = await seconds(() => runGaussianRbm(backend, { ...RBM, seeds, epochs: rbmEpochs }));
    yield compared({
      bench: "dyson",
      variant: "rbm-fused",
      value: seeds * rbmEpochs / t,
      unit: "seed-epochs/s",
      seeds,
      batch: 16,
      epochs: rbmEpochs,
      adapter,
    }, rbmBase);
  }
  if (!options.quick) {
    const seeds = 7500, epochs = 84;
    const t = await seconds(() => runGaussianRbm(backend, { ...RBM, seeds, epochs }));
    const rate = seeds * epochs / t;
    yield compared({
      bench: "dyson",
      variant: "rbm-fused",
      value: rate,
      unit: "seed-epochs/s",
      seeds,
      batch: 16,
      epochs,
      adapter,
    }, rbmBase);
    yield {
      bench: "dyson",
      variant: "rbm-full-setting-estimate",
      value: 7500 * 100000 / rate / 3600,
      unit: "hours",
      seeds: 7500,
      epochs: 100000,
      batch: 16,
      baselineHours: 7500 * 100000 / rbmBase.value / 3600,
      adapter,
    };
  }

  const tsPlan = planTeacherStudentEnsemble({ ...TS, seeds: 2 });
  const tsState = initialTsState(tsPlan);
  const tsBaseSeconds = await seconds(() => {
    for (let seed = 0; seed < 2; seed++) tsSeedReference(tsPlan, tsState, seed, 0, 500);
  });
  const tsBase: BenchRow = {
    bench: "dyson",
    variant: "ts-typescript-one-seed",
    value: 2 * 500 / tsBaseSeconds,
    unit: "seed-steps/s",
    seeds: 1,
    batch: 16,
  };
  yield tsBase;
  await runTeacherStudentEnsemble(backend, { ...TS, seeds: 2, batchesPerEpoch: 5 }); // compile
  for (const seeds of [...seedCounts, ...(options.quick ? [] : [3000 * 16])]) {
    const t = await seconds(() => runTeacherStudentEnsemble(backend, { ...TS, seeds }));
    yield compared({
      bench: "dyson",
      variant: "ts-fused",
      value: seeds * 500 / t,
      unit: "seed-steps/s",
      seeds,
      batch: 16,
      adapter,
    }, tsBase);
  }

  // Batched Jacobi: W^T W of one SRBM setting's seeds.
  const matrices = options.quick ? 1000 : 7500, rng = new PhiloxStream(3, 0);
  const gram = gramMatrices(
    Float64Array.from({ length: matrices * 100 }, (_, e) => 0.7 * rng.normal(0, 0, e)),
    10,
    10,
  );
  const refSeconds = await seconds(() => batchedSymmetricEigen(new ReferenceBackend(), gram, 10));
  const jacobiBase: BenchRow = {
    bench: "dyson",
    variant: "jacobi-typescript-one-at-a-time",
    value: matrices / refSeconds,
    unit: "matrices/s",
    n: 10,
    matrices,
  };
  yield jacobiBase;
  await batchedSymmetricEigen(backend, gram.subarray(0, 100), 10); // compile
  const gpuSeconds = await seconds(() => batchedSymmetricEigen(backend, gram, 10));
  yield compared({
    bench: "dyson",
    variant: "jacobi-batched-f32",
    value: matrices / gpuSeconds,
    unit: "matrices/s",
    n: 10,
    matrices,
    adapter,
  }, jacobiBase);
}
