/**
 * The fused optimizer update (kernels/optim/update.wgsl through lib/optim/optimizer.ts) against the float64
 * reference (lib/reference/optim.ts) over several steps with known gradients, and against closed forms;
 * each behaviour on both backends.
 */
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import { assert, assertClose, assertExact, testValues } from "./_assert.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { ParameterLayout } from "../lib/models/parameters.ts";
import { Optimizer } from "../lib/optim/optimizer.ts";
import { type OptimizerOptions, referenceSegments, resolveOptimizer } from "../lib/optim/hyperparameters.ts";
import { type OptimizerKind, optimizerStepReference } from "../lib/reference/optim.ts";
import { cosineSchedule } from "../lib/optim/schedules.ts";
import { UPDATE_TILE, updateTiles } from "../kernels/optim/optim.ts";

const LAYOUT = new ParameterLayout([
  { name: "fc1.weight", shape: [7, 5] },
  { name: "fc1.bias", shape: [7] },
  { name: "fc2.weight", shape: [3, 7] },
  { name: "fc2.bias", shape: [3] },
]);
const N = LAYOUT.count;

/** Runs `steps` steps on the backend and in float64, returning both parameter vectors. */
async function trajectories(backend: Backend, options: OptimizerOptions, steps: number, gradScale = 1) {
  const opt = new Optimizer(
    backend,
    LAYOUT,
    options,
    cosineSchedule({ total: steps + 2, warmup: 1, warmupStart: 0.5 }),
  );
  const init = testValues(N, 11);
  const params = backend.tensor(init);
  const want = Float64Array.from(init);
  const first = new Float64Array(N), second = new Float64Array(N);
  const resolved = resolveOptimizer(LAYOUT, options);
  for (let t = 0; t < steps; t++) {
    const g = testValues(N, 100 + t).map((v) => v * gradScale);
    const gradient = backend.tensor(g);
    const factor = opt.lrFactor;
    await opt.step(params, gradient);
    optimizerStepReference({
      kind: resolved.kind,
      decoupledWeightDecay: resolved.decoupledWeightDecay,
      params: want,
      gradient: g,
      first,
      second,
      step: t + 1,
      segments: referenceSegments(resolved),
      lrFactor: factor,
      maxGradNorm: resolved.maxGradNorm,
    });
    backend.dispose(gradient);
  }
  const got = await backend.read(params);
  backend.dispose(params);
  opt.dispose();
  return { got, want, init };
}

const GROUPS = [
  { names: "*.bias", weightDecay: 0, lr: 0.05 },
  { names: ["fc2.weight"], momentum: 0.5, beta1: 0.8, beta2: 0.99, eps: 1e-6 },
];

const CASES: { name: string; options: OptimizerOptions; gradScale?: number }[] = [
  { name: "sgd", options: { kind: "sgd", lr: 0.1 } },
  { name: "sgd + L2 + groups", options: { kind: "sgd", lr: 0.1, weightDecay: 0.1, groups: GROUPS } },
  {
    name: "sgd + decoupled decay",
    options: { kind: "sgd", lr: 0.1, weightDecay: 0.2, decoupledWeightDecay: true },
  },
  {
    name: "momentum + dampening + groups",
    options: { kind: "momentum", lr: 0.05, dampening: 0.3, groups: GROUPS },
  },
  { name: "nesterov + L2", options: { kind: "nesterov", lr: 0.05, weightDecay: 0.01 } },
  { name: "adam + L2 + groups", options: { kind: "adam", lr: 0.01, weightDecay: 0.05, groups: GROUPS } },
  { name: "adamw + groups", options: { kind: "adamw", lr: 0.01, weightDecay: 0.1, groups: GROUPS } },
  { name: "sgd + clipping (active)", options: { kind: "sgd", lr: 0.1, maxGradNorm: 0.5 } },
  { name: "adam + clipping (inactive)", options: { kind: "adam", lr: 0.01, maxGradNorm: 1e3 } },
  {
    name: "momentum + clipping of a large gradient",
    options: { kind: "momentum", lr: 0.01, maxGradNorm: 1 },
    gradScale: 100,
  },
];

for (const c of CASES) {
  testBothBackends(`Optimizer ${c.name}: 6 steps match the float64 reference`, async (backend) => {
    const { got, want, init } = await trajectories(backend, c.options, 6, c.gradScale);
    // f32 update of values O(1) with lr <= 0.1 over 6 steps: a few ulps of |p| per step.
    const diff = assertClose(got, want, { atol: 2e-6, rtol: 1e-5 }, c.name);
    let moved = 0;
    for (let i = 0; i < N; i++) moved = Math.max(moved, Math.abs(want[i] - init[i]));
    assert.ok(moved > 1e-3, `${c.name}: parameters moved by ${moved} only`);
    if (backend.name === "webgpu") console.log(`${c.name}: max |gpu - float64| ${diff.toExponential(2)}`);
  });
}

testBothBackends(
  "Optimizer: views longer than one update tile, groups alternating (adamw, momentum)",
  async (backend) => {
    // 1200 + 30 + 1300 elements: segments span several 512-element tiles and end mid-tile
    const layout = new ParameterLayout([
      { name: "a.weight", shape: [40, 30] },
      { name: "a.bias", shape: [30] },
      { name: "b.weight", shape: [1300] },
    ]);
    for (const kind of ["adamw", "momentum"] as OptimizerKind[]) {
      const options: OptimizerOptions = {
        kind,
        lr: 0.01,
        weightDecay: 0.1,
        groups: [{ names: "*.bias", weightDecay: 0, lr: 0.1 }, { names: "b.*", lr: 0.001 }],
      };
      const opt = new Optimizer(backend, layout, options);
      const resolved = resolveOptimizer(layout, options);
      const init = testValues(layout.count, 4);
      const params = backend.tensor(init), want = Float64Array.from(init);
      const first = new Float64Array(layout.count), second = new Float64Array(layout.count);
      for (let t = 0; t < 3; t++) {
        const g = testValues(layout.count, 40 + t);
        const gradient = backend.tensor(g);
        await opt.step(params, gradient);
        backend.dispose(gradient);
        optimizerStepReference({
          kind,
          decoupledWeightDecay: resolved.decoupledWeightDecay,
          params: want,
          gradient: g,
          first,
          second,
          step: t + 1,
          segments: referenceSegments(resolved),
          lrFactor: 1,
        });
      }
      assertClose(await backend.read(params), want, { atol: 2e-6, rtol: 1e-5 }, kind);
      opt.dispose();
      backend.dispose(params);
    }
  },
);

Deno.test("Optimizer tiles: segments cut into tiles of at most UPDATE_TILE elements, never across a group", () => {
  const tiles = Array.from(
    updateTiles([{ begin: 0, end: 1100, group: 0 }, { begin: 1100, end: 1105, group: 2 }]),
  );
  assert.deepEqual(tiles, [0, 512, 0, 512, 1024, 0, 1024, 1100, 0, 1100, 1105, 2]);
  assert.equal(UPDATE_TILE, 512);
  assert.throws(() => updateTiles([{ begin: 5, end: 5, group: 0 }]), /segment \[5, 5\) is empty/);
});

async function constantGradientRun(
  backend: Backend,
  options: OptimizerOptions,
  g: number[],
  steps: number,
  p0: number[],
) {
  const layout = new ParameterLayout([{ name: "w", shape: [p0.length - 1] }, { name: "b", shape: [1] }]);
  const opt = new Optimizer(backend, layout, options);
  const params = backend.tensor(p0), gradient = backend.tensor(g);
  for (let t = 0; t < steps; t++) await opt.step(params, gradient);
  const got = await backend.read(params);
  opt.dispose();
  backend.dispose(params, gradient);
  return got;
}

testBothBackends(
  "Optimizer closed forms: momentum and Nesterov under a constant gradient",
  async (backend) => {
    const mu = 0.9, lr = 0.1, g = 0.5, steps = 5;
    for (const kind of ["momentum", "nesterov"] as OptimizerKind[]) {
      // buffer_k = g (1 - mu^k) / (1 - mu); the step uses it (momentum) or g + mu buffer_k (Nesterov).
      let p = 1;
      for (let k = 1; k <= steps; k++) {
        const buffer = g * (1 - mu ** k) / (1 - mu);
        p -= lr * (kind === "nesterov" ? g + mu * buffer : buffer);
      }
      const got = await constantGradientRun(backend, { kind, lr, momentum: mu }, [g, g], steps, [1, 1]);
      assertClose(got, [p, p], { atol: 1e-6, rtol: 4e-6 }, kind);
    }
  },
);

testBothBackends(
  "Optimizer closed forms: Adam's bias-corrected first step is lr sign(g)",
  async (backend) => {
    const lr = 0.01, g = [0.3, -2, 1e-3];
    const got = await constantGradientRun(backend, { kind: "adam", lr, eps: 1e-8 }, g, 1, [1, 1, 1]);
    assertClose(got, g.map((gi) => 1 - lr * gi / (Math.abs(gi) + 1e-8)), { atol: 1e-7 }, "adam step 1");
  },
);

testBothBackends(
  "Optimizer closed forms: decoupled decay with zero gradient, none on the bias group",
  async (backend) => {
    const lr = 0.1, wd = 0.5, steps = 4;
    for (const kind of ["adamw", "sgd"] as OptimizerKind[]) {
      const got = await constantGradientRun(
        backend,
        {
          kind,
          lr,
          weightDecay: wd,
          decoupledWeightDecay: true,
          groups: [{ names: "b", weightDecay: 0 }],
        },
        [0, 0, 0],
        steps,
        [2, -1, 3],
      );
      const f = (1 - lr * wd) ** steps;
      assertClose(got, [2 * f, -1 * f, 3], { atol: 0, rtol: 1e-6 }, kind);
    }
  },
);

testBothBackends("Optimizer closed forms: clipping a (3, 4) gradient to norm 1", async (backend) => {
  const got = await constantGradientRun(backend, { kind: "sgd", lr: 1, maxGradNorm: 1 }, [3, 4], 1, [0, 0]);
  const c = 1 / (5 + 1e-6); // torch: max_norm / (norm + 1e-6)
  assertClose(got, [-3 * c, -4 * c], { atol: 1e-7 }, "clipped step");
});

testBothBackends("Optimizer: lr 0 leaves parameters bit-identical (sgd, momentum, adam)", async (backend) => {
  for (const kind of ["sgd", "momentum", "adam"] as OptimizerKind[]) {
    const p0 = Array.from(testValues(4, 3));
    const got = await constantGradientRun(backend, { kind, lr: 0 }, [1, -1, 2, 0.5], 3, p0);
    assertExact(got, p0, kind);
  }
});

testBothBackends(
  "Optimizer: state round-trips, a resumed optimizer continues bit for bit",
  async (backend) => {
    for (const kind of ["nesterov", "adamw"] as OptimizerKind[]) {
      const options: OptimizerOptions = { kind, lr: 0.02, weightDecay: 0.01, groups: GROUPS };
      const gradients = Array.from({ length: 5 }, (_, t) => testValues(N, 200 + t));
      const run = async (split: number) => {
        const params = backend.tensor(testValues(N, 5));
        let opt = new Optimizer(backend, LAYOUT, options);
        for (let t = 0; t < 5; t++) {
          if (t === split) {
            const state = await opt.exportState();
            opt.dispose();
            opt = new Optimizer(backend, LAYOUT, options);
            opt.importState(state);
            assert.equal(opt.stepCount, split);
          }
          const g = backend.tensor(gradients[t]);
          await opt.step(params, g);
          backend.dispose(g);
        }
        const out = await backend.read(params);
        backend.dispose(params);
        opt.dispose();
        return out;
      };
      assertExact(await run(3), await run(-1), `${kind} resumed at step 3`, true);
    }
  },
);

testGpuOnly(
  "Optimizer: a step is one dispatch (three with clipping), recorded without a host wait",
  async (gpu) => {
    const backend = new WebGpuBackend(gpu);
    const params = backend.tensor(testValues(N, 1)), gradient = backend.tensor(testValues(N, 2));
    for (
      const [options, dispatches] of [[{ kind: "adamw", lr: 1e-3, groups: GROUPS }, 1], [{
        kind: "momentum",
        lr: 1e-3,
        maxGradNorm: 1,
      }, 3]] as [OptimizerOptions, number][]
    ) {
      const opt = new Optimizer(backend, LAYOUT, options);
      await opt.step(params, gradient); // compiles
      const before: number = backend.recorder.dispatchCount;
      await opt.step(params, gradient);
      assert.equal(backend.recorder.dispatchCount - before, dispatches, options.kind);
      opt.dispose();
    }
    backend.dispose(params, gradient);
  },
);

testBothBackends("Optimizer: the clipped step reports the pre-clip global norm", async (backend) => {
  const opt = new Optimizer(backend, LAYOUT, { kind: "sgd", lr: 0.1, maxGradNorm: 0.1 });
  const g = testValues(N, 9);
  const params = backend.tensor(testValues(N, 1)), gradient = backend.tensor(g);
  await opt.step(params, gradient);
  const want = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
  assertClose([await opt.lastGradNorm()], [want], { rtol: 1e-5 }, "norm");
  opt.dispose();
  backend.dispose(params, gradient);
});
