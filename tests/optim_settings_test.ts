/**
 * Optimizer settings (validation, groups by name pattern; the wrappers' structs are held to their WGSL by
 * tests/struct_layout_test.ts), schedules against closed forms, Lookahead's synchronisation, and optimizer state through a checkpoint.
 */
import { testBothBackends } from "./_backends.ts";
import { assert, assertClose, assertExact, testValues } from "./_assert.ts";
import { ParameterLayout } from "../lib/models/parameters.ts";
import { Optimizer } from "../lib/optim/optimizer.ts";
import { Lookahead } from "../lib/optim/lookahead.ts";
import { type OptimizerOptions, resolveOptimizer } from "../lib/optim/hyperparameters.ts";
import {
  constantSchedule,
  cosineSchedule,
  exponentialSchedule,
  joinSchedules,
  multiplySchedules,
  namedSchedule,
  oneCycleSchedule,
  stepSchedule,
} from "../lib/optim/schedules.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../lib/checkpoint.ts";
import { optimizerStepReference } from "../lib/reference/optim.ts";

const LAYOUT = new ParameterLayout([
  { name: "fc1.weight", shape: [4, 3] },
  { name: "fc1.bias", shape: [4] },
  { name: "head.weight", shape: [2, 4] },
  { name: "head.bias", shape: [2] },
]);

Deno.test("Optimizer settings: bad hyperparameters and names are refused with clear errors", () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ kind: "sgd", lr: -0.1 }, /lr is -0.1, must be a finite number >= 0/],
    [{ kind: "sgd", lr: NaN }, /lr is NaN/],
    [{ kind: "adam", lr: 1e-3, beta1: 1 }, /beta1 is 1, must be in \[0, 1\)/],
    [{ kind: "adam", lr: 1e-3, beta2: -0.1 }, /beta2 is -0.1, must be in \[0, 1\)/],
    [{ kind: "adam", lr: 1e-3, eps: 0 }, /eps is 0, must be a finite number > 0/],
    [{ kind: "momentum", lr: 1e-3, momentum: 1.5 }, /momentum is 1.5/],
    [{ kind: "sgd", lr: 1e-3, weightDecay: -1 }, /weightDecay is -1/],
    [{ kind: "nesterov", lr: 1e-3, dampening: 0.1 }, /Nesterov momentum needs momentum > 0 and dampening 0/],
    [{ kind: "sgd", lr: 1e-3, maxGradNorm: 0 }, /maxGradNorm is 0, must be a finite number > 0/],
    [{ kind: "rmsprop", lr: 1e-3 }, /kind is "rmsprop", must be one of sgd, momentum, nesterov, adam, adamw/],
    [{ kind: "sgd", lr: 1e-3, learningRate: 1 }, /unknown option "learningRate"/],
    [
      { kind: "sgd", lr: 1e-3, groups: [{ names: "*.gamma", weightDecay: 0 }] },
      /group 1 pattern "\*\.gamma" matches no parameter \(the layout has fc1.weight/,
    ],
    [{ kind: "sgd", lr: 1e-3, groups: [{ names: "*.bias", wd: 0 }] }, /unknown group option "wd" in group 1/],
    [{ kind: "adam", lr: 1e-3, groups: [{ names: "head.*", beta1: 2 }] }, /beta1 is 2 in group 1/],
  ];
  for (const [options, message] of bad) {
    assert.throws(
      () => resolveOptimizer(LAYOUT, options as unknown as OptimizerOptions),
      message,
      JSON.stringify(options),
    );
  }
});

Deno.test("Optimizer settings: groups by glob, exact name and RegExp; first match wins; segments merge", () => {
  const r = resolveOptimizer(LAYOUT, {
    kind: "adamw",
    lr: 1e-3,
    groups: [{ names: "*.bias", weightDecay: 0 }, { names: [/^head\./], lr: 1e-2 }],
  });
  assert.deepEqual(r.groups.map((g) => [g.lr, g.weightDecay]), [[1e-3, 0.01], [1e-3, 0], [1e-2, 0.01]]);
  assert.deepEqual(r.segments, [
    { begin: 0, end: 12, group: 0 },
    { begin: 12, end: 16, group: 1 },
    { begin: 16, end: 24, group: 2 },
    { begin: 24, end: 26, group: 1 },
  ]);
  const merged = resolveOptimizer(LAYOUT, { kind: "sgd", lr: 1, groups: [{ names: "fc1.*", lr: 2 }] });
  assert.deepEqual(merged.segments, [{ begin: 0, end: 16, group: 1 }, { begin: 16, end: 26, group: 0 }]);
});

Deno.test("Schedules match their closed forms", () => {
  const close = (got: number, want: number, what: string) =>
    assertClose([got], [want], { atol: 1e-15, rtol: 1e-14 }, what);
  close(constantSchedule(0.5)(123), 0.5, "constant");
  for (const t of [0, 9, 10, 25]) {
    close(stepSchedule({ every: 10, gamma: 0.5 })(t), 0.5 ** Math.floor(t / 10), `step ${t}`);
  }
  for (const t of [0, 1, 7]) close(exponentialSchedule({ gamma: 0.9 })(t), 0.9 ** t, `exponential ${t}`);
  const cosine = cosineSchedule({ total: 110, warmup: 10, floor: 0.1 });
  close(cosine(0), 0, "warmup start");
  close(cosine(5), 0.5, "warmup middle");
  close(cosine(10), 1, "peak");
  close(cosine(60), 0.1 + 0.9 * 0.5, "cosine half way");
  close(cosine(110), 0.1, "end");
  close(cosine(500), 0.1, "after end");
  // torch OneCycleLR(max_lr=1, total_steps=100, pct_start=0.3, div_factor=25, final_div_factor=1e4)
  const cycle = oneCycleSchedule({ total: 100 });
  close(cycle(0), 1 / 25, "one-cycle start");
  close(cycle(29), 1, "one-cycle peak at pct * total - 1");
  close(cycle(99), 1 / 25 / 1e4, "one-cycle end");
  const mid = (29 + 99) / 2;
  close(cycle(mid), (1 + 1 / 25 / 1e4) / 2, "one-cycle half way down");
  const joined = joinSchedules([constantSchedule(1), exponentialSchedule({ gamma: 0.5 })], [3]);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(joined), [1, 1, 1, 1, 0.5, 0.25]);
  const product = multiplySchedules(cosineSchedule({ total: 10, warmup: 2 }), constantSchedule(0.1));
  close(product(1), 0.05, "product");
  close(namedSchedule("cosine", { total: 10, warmup: 2 })(1), 0.5, "named cosine");
  assert.throws(
    () => cosineSchedule({ total: 10, warmup: 10 }),
    /warmup is 10, must be an integer in \[0, total\)/,
  );
  assert.throws(() => stepSchedule({ every: 0, gamma: 0.5 }), /every is 0/);
  assert.throws(() => namedSchedule("linear", { total: 10 }), /name is "linear", must be one of/);
  assert.throws(() => joinSchedules([constantSchedule()], [3]), /1 schedules and 1 boundaries/);
});

testBothBackends(
  "Lookahead: k inner steps, then slow += alpha (fast - slow) and fast = slow; reset option",
  async (backend) => {
    for (const resetMomentum of [false, true]) {
      const layout = new ParameterLayout([{ name: "w", shape: [5] }]);
      const options: OptimizerOptions = { kind: "momentum", lr: 0.1, momentum: 0.9 };
      const look = new Lookahead(new Optimizer(backend, layout, options), {
        k: 3,
        alpha: 0.5,
        resetMomentum,
      });
      const p0 = testValues(5, 1);
      const params = backend.tensor(p0);
      // float64 by hand: the inner optimizer's reference, then the sync rule
      const fast = Float64Array.from(p0), slow = Float64Array.from(p0), buffer = new Float64Array(5);
      let innerStep = 0;
      for (let t = 0; t < 7; t++) {
        const g = testValues(5, 50 + t);
        const gradient = backend.tensor(g);
        await look.step(params, gradient);
        backend.dispose(gradient);
        innerStep++;
        optimizerStepReference({
          kind: "momentum",
          decoupledWeightDecay: false,
          params: fast,
          gradient: g,
          first: buffer,
          second: new Float64Array(0),
          step: innerStep,
          segments: [{
            begin: 0,
            end: 5,
            hyper: {
              lr: 0.1,
              momentum: 0.9,
              dampening: 0,
              beta1: 0.9,
              beta2: 0.999,
              eps: 1e-8,
              weightDecay: 0,
            },
          }],
          lrFactor: 1,
        });
        if ((t + 1) % 3 === 0) {
          for (let i = 0; i < 5; i++) {
            slow[i] += 0.5 * (fast[i] - slow[i]);
            fast[i] = slow[i];
          }
          if (resetMomentum) buffer.fill(0);
        }
      }
      assertClose(
        await backend.read(params),
        fast,
        { atol: 1e-6, rtol: 1e-5 },
        `fast, reset ${resetMomentum}`,
      );
      assertClose(
        (await look.slowWeights())!,
        slow,
        { atol: 1e-6, rtol: 1e-5 },
        `slow, reset ${resetMomentum}`,
      );
      look.dispose();
      backend.dispose(params);
    }
    assert.throws(
      () => new Lookahead(new Optimizer(backend, LAYOUT, { kind: "sgd", lr: 1 }), { k: 0, alpha: 0.5 }),
      /k is 0/,
    );
    assert.throws(
      () => new Lookahead(new Optimizer(backend, LAYOUT, { kind: "sgd", lr: 1 }), { k: 5, alpha: 1.5 }),
      /alpha is 1.5/,
    );
  },
);

testBothBackends(
  "Optimizer state (Adam, Lookahead) round-trips through a checkpoint file bit for bit",
  async (backend) => {
    const options: OptimizerOptions = { kind: "adam", lr: 0.01, groups: [{ names: "*.bias", lr: 0.1 }] };
    const make = () => new Lookahead(new Optimizer(backend, LAYOUT, options), { k: 2, alpha: 0.5 });
    const gradients = Array.from({ length: 6 }, (_, t) => testValues(LAYOUT.count, 300 + t));
    const run = async (splitAt: number) => {
      const params = backend.tensor(testValues(LAYOUT.count, 2));
      let opt = make();
      for (let t = 0; t < 6; t++) {
        if (t === splitAt) {
          const state = await opt.exportState();
          const arrays: Record<string, { data: Float32Array | Float64Array; shape: number[] }> = {};
          for (const [name, data] of Object.entries(state.arrays)) {
            arrays[name] = {
              data,
              shape: [data.length],
            };
          }
          const bytes = await encodeCheckpoint({
            kind: "test",
            step: state.step,
            fingerprint: opt.describe(),
            arrays,
            counters: {},
          });
          const loaded = await decodeCheckpoint(bytes);
          opt.dispose();
          opt = make();
          const back: Record<string, Float32Array | Float64Array> = {};
          for (const [name, { data }] of Object.entries(loaded.arrays)) {
            back[name] = data as
              | Float32Array
              | Float64Array;
          }
          opt.importState({ step: loaded.step, arrays: back });
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
    assertExact(await run(3), await run(-1), "resumed at step 3 (mid Lookahead cycle)", true);
  },
);
