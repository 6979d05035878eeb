import { assert, assertClose } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { RademacherCumulant } from "../lib/teacher_student/samplers.ts";
import { evolution } from "../lib/teacher_student/trainer.ts";
import { datasetPreactivations } from "../lib/teacher_student/dataset_preactivations.ts";

// With p_repeat = 1 every step uses a dataset sample, and the trainer records the preactivation of the
// latest one before its step: at save time T + 1 it must equal h_i of the weights snapshot at T for the
// sample i that step used (i = 0 when the dataset has one sample; one of the h_i otherwise).
testBothBackends("dataset preactivations of snapshots match the trainer's repeated h", async (backend) => {
  for (const datasetSize of [1, 3]) {
    const walkers = 4, steps = 40, chunkSteps = 10;
    const model = new RademacherCumulant({ d: 23, seed: 9 });
    const config = {
      model,
      student: "he3" as const,
      learningRate: 0.5,
      walkers,
      steps,
      sampling: "repeat" as const,
      pRepeat: 1,
      datasetSize,
      saveTimes: Array.from({ length: steps }, (_, i) => i + 1),
      chunkSteps,
      snapshots: true,
      walkerOffset: 5,
    };
    let previous: Float64Array | undefined;
    let checked = 0;
    const tol = {
      atol: backend.name === "webgpu" ? 1e-5 : 1e-12,
      rtol: backend.name === "webgpu" ? 1e-5 : 0,
    };
    for await (const chunk of evolution(backend, config)) {
      if (previous) {
        for (let k = 0; k < walkers; k++) {
          const got = chunk.repeatedPreactivation[k]; // first save of the chunk: step T + 1
          const h = previous.subarray(k * datasetSize, (k + 1) * datasetSize);
          const nearest = h.reduce((best, v) => (Math.abs(v - got) < Math.abs(best - got) ? v : best), h[0]);
          assertClose([got], [nearest], tol, `walker ${k}, dataset ${datasetSize}`);
          if (datasetSize === 1) assertClose([got], [h[0]], tol, "the only sample");
          checked++;
        }
      }
      previous = datasetPreactivations(model, chunk.weights!, walkers, datasetSize, 5);
    }
    assert.equal(checked, 3 * walkers);
  }
});

Deno.test("dataset preactivations reject bad shapes and sizes", () => {
  const model = new RademacherCumulant({ d: 5, seed: 1 });
  assert.throws(() => datasetPreactivations(model, new Float64Array(9), 2, 1), /expected walkers 2 x d 5/);
  assert.throws(() => datasetPreactivations(model, new Float64Array(10), 2, 0), /datasetSize is 0/);
});
