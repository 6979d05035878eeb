// Checkpoint forks (specs/seed003 EOSS-15): a fork that changes nothing reproduces its parent bit for bit
// (parameters, batch losses, every measurement including the warm-started lambda_max); a fork with eta
// raised departs from it; a fork with b lowered starts a fresh epoch; a fork of another setting is refused.
import { assert, assertExact } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { tinyConfig } from "./_eoss_training.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import type { CheckpointState } from "../lib/checkpoint.ts";
import { exitCodeOf } from "../lib/exit_codes.ts";
import { forkPlan, locateStep } from "../lib/eoss/fork.ts";
import type { EossRow } from "../lib/eoss/metrics.ts";
import { runEossTraining } from "../lib/eoss/training.ts";

const values = (rows: EossRow[]) => rows.flatMap((r) => Object.values(r));

testBothBackends(
  "eoss fork: a fork that changes nothing reproduces its parent bit for bit",
  async (backend) => {
    const states: CheckpointState[] = [];
    // Checkpoint at step 7 (mid-epoch, after a lambda_max measurement at 0 whose vector warm-starts the one at 9).
    const parent = await runEossTraining(tinyConfig({ checkpointSteps: [7] }), {
      backend,
      onCheckpoint: (s) => states.push(s),
    });
    assert.deepEqual(states.map((s) => s.step), [7]);
    const fork = await runEossTraining(tinyConfig(), { backend, resumeFrom: states[0] });
    assert.equal(fork.summary.startStep, 7);
    assertExact(fork.params, parent.params);
    assertExact(fork.batchLosses, parent.batchLosses.subarray(7));
    const tail = parent.rows.filter((r) => r.step >= 7);
    assert.deepEqual(fork.rows.map((r) => r.step), [9, 12, 15]);
    assertExact(values(fork.rows), values(tail));
    // eta raised: the same first batch loss (measured before the first update), then a different trajectory.
    const raised = await runEossTraining(tinyConfig({ optimizer: { learningRate: 0.2 } }), {
      backend,
      resumeFrom: states[0],
    });
    assert.equal(raised.batchLosses[0], parent.batchLosses[7]);
    assert.notEqual(raised.batchLosses[5], parent.batchLosses[12]);
    assert.equal(raised.summary.plateau.threshold, 10);
  },
);

Deno.test("eoss fork: from a run directory's checkpoint file; another model or seed is refused (exit 3)", async () => {
  const backend = new ReferenceBackend(), dir = await Deno.makeTempDir();
  try {
    const parent = await runEossTraining(tinyConfig({ checkpointEvery: 6 }), {
      backend,
      runDir: `${dir}/parent`,
    });
    const fork = await runEossTraining(tinyConfig({ fork: { from: `${dir}/parent`, step: 12 } }), {
      backend,
    });
    assertExact(fork.params, parent.params);
    for (const change of [{ model: { hidden: [13] } }, { seeds: { measure: 10 } }]) {
      const error = await runEossTraining(
        tinyConfig({ ...change, fork: { from: `${dir}/parent`, step: 12 } }),
        {
          backend,
        },
      ).then(() => null, (e) => e);
      assert.ok(error instanceof Error && /Cannot resume from checkpoint/.test(error.message), String(error));
      assert.equal(exitCodeOf(error), 3);
    }
    const missing = await runEossTraining(tinyConfig({ fork: { from: `${dir}/parent`, step: 5 } }), {
      backend,
    })
      .then(() => null, (e) => e);
    assert.equal(exitCodeOf(missing), 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("eoss fork: lowering b starts a fresh epoch at the fork; keeping b keeps the plan", () => {
  const plan = [{ step: 0, epoch: 0, batchSize: 4 }];
  // 24 rows, b 4: 6 steps per epoch. Step 7 is epoch 1, slot 1.
  assert.deepEqual(locateStep(plan, 7, 24), { epoch: 1, begin: 4, batchSize: 4, slot: 1 });
  assert.deepEqual(forkPlan(plan, 7, 4, 24), plan);
  const lowered = forkPlan(plan, 7, 2, 24);
  assert.deepEqual(lowered, [...plan, { step: 7, epoch: 2, batchSize: 2 }]);
  assert.deepEqual(locateStep(lowered, 7, 24), { epoch: 2, begin: 0, batchSize: 2, slot: 0 });
  assert.deepEqual(locateStep(lowered, 19, 24), { epoch: 3, begin: 0, batchSize: 2, slot: 0 });
  assert.deepEqual(locateStep(lowered, 6, 24).epoch, 1);
  // At an epoch's first step the fork takes that epoch.
  assert.deepEqual(forkPlan(plan, 12, 2, 24), [...plan, { step: 12, epoch: 2, batchSize: 2 }]);
});

Deno.test("eoss fork: a fork with b lowered runs and measures batch sharpness with the new b", async () => {
  const backend = new ReferenceBackend(), states: CheckpointState[] = [];
  await runEossTraining(tinyConfig({ checkpointSteps: [6] }), {
    backend,
    onCheckpoint: (s) => states.push(s),
  });
  const fork = await runEossTraining(tinyConfig({ optimizer: { batchSize: 2 } }), {
    backend,
    resumeFrom: states[0],
  });
  assert.equal(fork.summary.status, "complete");
  assert.equal(fork.batchLosses.length, 12);
  assert.equal(fork.summary.plateau.threshold, 20);
});
