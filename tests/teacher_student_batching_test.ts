/**
 * The teacher-student trainer runs walkers in batches, each to its last step before the next starts
 * (lib/teacher_student/trainer.ts, batch_run.ts): the observables and weights of a run split into 1, 2 and 3
 * batches are bit-identical on both backends, with save time 0, repeat sampling (carried repeat counters),
 * several chunks and snapshots; and runs that cannot fit in host memory fail before they start, naming the size
 * and the fix.
 */
import assertNode from "node:assert/strict";
import { assert, assertExact } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { BASE } from "./_teacher_student.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { RademacherCumulant } from "../lib/teacher_student/samplers.ts";
import {
  evolution,
  runTeacherStudent,
  type TeacherStudentChunk,
  type TeacherStudentConfig,
  walkerBatches,
} from "../lib/teacher_student/trainer.ts";
import {
  allocateFloat64,
  checkHostMemory,
  defaultWalkersPerBatch,
} from "../lib/teacher_student/host_memory.ts";
import type { Backend } from "../lib/backend/backend.ts";

const CONFIG: TeacherStudentConfig = {
  ...BASE,
  model: new RademacherCumulant({ d: 21, seed: 4 }),
  student: "he3",
  learningRate: 0.1,
  walkers: 7,
  steps: 30,
  sampling: "repeat",
  pRepeat: 0.3,
  datasetSize: 2,
  saveTimes: [0, 1, 5, 11, 13, 29, 30],
  chunkSteps: 12,
  kernel: "thread",
};

async function chunksOf(backend: Backend, config: TeacherStudentConfig): Promise<TeacherStudentChunk[]> {
  const out: TeacherStudentChunk[] = [];
  for await (const chunk of evolution(backend, config)) out.push(chunk);
  return out;
}

testBothBackends(
  "a run split into 1, 2 and 3 batches gives bit-identical observables and weights",
  async (b) => {
    const whole = await chunksOf(b, { ...CONFIG, snapshots: true });
    assert(whole.length === 3, `30 steps in chunks of 12 are 3 chunks, got ${whole.length}`);
    assertNode.deepEqual(whole.map((c) => c.times), [[0, 1, 5, 11], [13], [29, 30]]);
    assertNode.deepEqual(walkerBatches(b, CONFIG).map((x) => x.count), [7]);
    assertNode.deepEqual(walkerBatches(b, { ...CONFIG, walkersPerBatch: 3 }).map((x) => x.count), [3, 3, 1]);
    for (const perBatch of [4, 3]) {
      const split = await chunksOf(b, { ...CONFIG, snapshots: true, walkersPerBatch: perBatch });
      assert(split.length === whole.length, "same chunks");
      split.forEach((c, i) => {
        const what = `chunk ${i}, batches of ${perBatch}`;
        assertNode.deepEqual(c.times, whole[i].times, `${what}: times`);
        assert(c.stepsDone === whole[i].stepsDone, `${what}: stepsDone`);
        assertExact(c.overlap, whole[i].overlap, `${what}: overlap`);
        assertExact(c.gradientNorm, whole[i].gradientNorm, `${what}: gradient norm`);
        assertExact(c.repeats, whole[i].repeats, `${what}: repeats`);
        assertExact(
          c.repeatedPreactivation,
          whole[i].repeatedPreactivation,
          `${what}: repeated preactivation`,
        );
        assertExact(c.weights!, whole[i].weights!, `${what}: weights`);
      });
      const batches = Math.ceil(CONFIG.walkers / perBatch);
      const dispatches = (r: TeacherStudentChunk[]) => r.reduce((n, c) => n + c.dispatches, 0);
      assert(dispatches(split) === batches * dispatches(whole), `${batches} batches dispatch ${batches}x`);
    }
    // The observables are not trivially equal: walkers differ, and repeats were counted.
    const last = whole[2];
    assert(new Set(last.overlap).size > 7, "overlaps differ between walkers and times");
    assert(last.repeats.some((r) => r > 0), "some repeated samples were counted");
  },
);

testBothBackends("finalWeights: false keeps only the observables, the same as with weights", async (b) => {
  const config = { ...CONFIG, chunkSteps: undefined, walkersPerBatch: 3 };
  const kept = await runTeacherStudent(b, config);
  const dropped = await runTeacherStudent(b, { ...config, finalWeights: false });
  assert(kept.weights.length === CONFIG.walkers * 21, "weights kept by default");
  assert(dropped.weights.length === 0, `no weights with finalWeights: false, got ${dropped.weights.length}`);
  assertExact(dropped.overlap, kept.overlap, "overlap");
  assertExact(dropped.repeats, kept.repeats, "repeats");
});

Deno.test("a run that cannot fit in host memory fails before it starts, naming the size and the fix", async () => {
  // 20M walkers at d = 10000: 1.6 TB of final weights, more than any host this runs on.
  const config: TeacherStudentConfig = {
    ...BASE,
    model: new RademacherCumulant({ d: 10_000, seed: 1 }),
    walkers: 20_000_000,
    steps: 10,
    saveTimes: [10],
  };
  const started = performance.now();
  await assertNode.rejects(
    () => runTeacherStudent(new ReferenceBackend(), config),
    (e: Error) =>
      e instanceof RangeError && /20000000 walkers at d = 10000/.test(e.message) &&
      /weights \[walkers, d\] float64 x 1 1\.60 TB/.test(e.message) &&
      /--walker-batch/.test(e.message) &&
      /finalWeights: false/.test(e.message),
  );
  assert(performance.now() - started < 5000, "fails before drawing any weights");
  assertNode.throws(
    () => checkHostMemory("run X", [{ what: "a", bytes: 3e9 }, { what: "b", bytes: 0 }], 2e9),
    /Cannot run X: it needs 3\.00 GB of host memory \(a 3\.00 GB\), more than the 2\.00 GB available; run fewer/,
  );
  checkHostMemory("run X", [{ what: "a", bytes: 1e9 }], 2e9); // fits: no error
  assertNode.throws(
    () => allocateFloat64(2 ** 50, "overlaps [1, 2^50]"),
    (e: Error) =>
      e instanceof RangeError &&
      /Cannot allocate overlaps \[1, 2\^50\]: 1125899906842624 float64 values/.test(e.message) &&
      /--walker-batch/.test(e.message),
  );
  assert(
    defaultWalkersPerBatch(1000) === 44739,
    `2 GiB / 48 kB = 44739 walkers, got ${defaultWalkersPerBatch(1000)}`,
  );
});

Deno.test("scripts/teacher_student_walkers.ts runs walkers batch by batch and prints its summary", async () => {
  const script = new URL("../scripts/teacher_student_walkers.ts", import.meta.url).pathname;
  const args = ["run", "-A", script, "--walkers", "5", "--d", "8", "--steps", "3", "--backend", "reference"];
  const run = async (extra: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), { args: [...args, ...extra] }).output();
    assert(out.code === 0, `exit 0, got ${out.code}: ${new TextDecoder().decode(out.stderr)}`);
    return JSON.parse(new TextDecoder().decode(out.stdout));
  };
  const split = await run(["--walker-batch", "2"]), whole = await run([]);
  assert(split.batches === 3 && split.walkersPerBatch === 2, `3 batches of 2, got ${JSON.stringify(split)}`);
  assert(whole.batches === 1, `one batch by default, got ${whole.batches}`);
  assertNode.deepEqual(split.meanAbsOverlap, whole.meanAbsOverlap, "the split does not change the overlaps");
  assert(split.meanAbsOverlap.step0 > 0 && split.meanAbsOverlap.step3 > 0, "overlaps recorded");
});
