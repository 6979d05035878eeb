/**
 * EnhancedSGD's controllers: the clean Q-update on scripted rewards and observed next states, clean lr and
 * momentum inside their bounds for any controller output, the faithful mode's compounding lr and forced
 * momentum 0.99 (1 - e/20) on a scripted stream (both backends), the original's greedy actions applied by
 * value, Lookahead synchronising every k steps around EnhancedSGD, and refused arguments.
 */
import { testBothBackends } from "./_backends.ts";
import { assert, assertClose, testValues, toF32 } from "./_assert.ts";
import { ParameterLayout } from "../lib/models/parameters.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { EnhancedSGD } from "../lib/enhanced_sgd/optimizer.ts";
import { createEnhancedSgd } from "../lib/enhanced_sgd/create.ts";
import { CLEAN_ACTIONS, QController, type QControllerSettings } from "../lib/enhanced_sgd/q_controller.ts";
import { FaithfulController, type FaithfulSettings } from "../lib/enhanced_sgd/faithful.ts";
import { ScriptedRandom, SeededRandom } from "../lib/enhanced_sgd/random.ts";
import { resolveEnhancedSgd } from "../lib/enhanced_sgd/options.ts";
import type { Lookahead } from "../lib/optim/lookahead.ts";

const CLEAN: QControllerSettings = {
  lr: 0.01,
  momentum: 0.9,
  lrScaleBounds: [0.5, 1.5],
  momentumBounds: [0.5, 0.99],
  adaptiveMomentum: true,
  alpha: 0.1,
  gamma: 0.9,
  epsilon: 0,
  epsilonDecay: 0.995,
  epsilonMin: 0,
  mixProb: 0.8,
  varianceWeight: 0.1,
  entropyWeight: 0.1,
  spikeThreshold: 1.5,
  spikeWindow: 100,
  lossCorrectionFactor: 0.5,
  cooldownSteps: 100,
  phaseEpochs: 0,
};

const FAITHFUL: FaithfulSettings = {
  lr: 0.01,
  momentum: 0.9,
  adaptiveMomentum: true,
  entropyWeight: 0.1,
  lossCorrectionFactor: 0.5,
  spikeThreshold: 1.5,
  spikeWindow: 100,
  alpha: 0.1,
  gamma: 0.9,
  epsilon: 0,
  epsilonDecay: 0.995,
  epsilonMin: 0.01,
  mixProb: 0.8,
};

Deno.test("Clean Q-update: Q[s][a] += alpha (r + gamma max Q[s'] - Q[s][a]) with s' the state observed next", () => {
  const c = new QController(CLEAN, new ScriptedRandom([0.99])); // one draw: the greedy check below
  const o1 = { step: 10, epoch: 0, loss: 2, vbar: 1e-3, entropyNorm: 0.8 };
  const o2 = { step: 20, epoch: 0, loss: 1, vbar: 1e-4, entropyNorm: 0.75 };
  const s1 = c.stateKey(o1), s2 = c.stateKey(o2, o1);
  assert.notEqual(s1, s2, "the loss fell by half: a new loss bin and trend");
  c.q.set(s2, [0, 0, 3, 0, 0, 0, 0, 0, -1]); // max Q[s2] = 3
  c.scripted = [7, 0];
  const d1 = c.observe(o1);
  assert.equal(d1.reward, null, "no reward before a previous decision");
  const d2 = c.observe(o2);
  const reward = -(1 - 2) / 2 - 0.1 * Math.abs(-4 - -3) - 0.1 * Math.abs(0.75 - 0.8);
  assertClose([d2.reward!], [reward], { rtol: 1e-12 }, "reward");
  const row = c.q.get(s1)!;
  assertClose([row[7]], [0.1 * (reward + 0.9 * 3)], { rtol: 1e-12 }, "Q[s1][7]");
  assert.deepEqual(row.filter((_, k) => k !== 7), new Array(8).fill(0), "other actions untouched");
  // Greedy (epsilon 0) now picks action 7 in s1.
  assert.equal(c.choose(s1).action, 7);
  // Action 7 is lr x1.05, momentum +0: applied, not compounded into lr beyond lr0 x scale.
  assert.deepEqual(CLEAN_ACTIONS[7], [1.05, 0]);
  assertClose([d1.lr], [0.01 * 1.05], { rtol: 1e-12 }, "lr after action 7");
});

Deno.test("Clean controller: lr and momentum stay within their bounds for any controller output", () => {
  const random = new SeededRandom(5);
  const c = new QController({ ...CLEAN, phaseEpochs: 10, cooldownSteps: 3 }, random);
  const lrLow = 0.01 * 0.5 * 0.5 * 0.5, lrHigh = 0.01 * 1.5; // scale low, phase low, cooldown
  const extremes = [1e9, -1e9, 0, NaN, Infinity, -Infinity, 1e-9, 2, 0.5];
  for (let k = 0; k < 2000; k++) {
    const f = k % 3 === 0 ? extremes[k % extremes.length] : random.normal() * 10;
    const d = k % 5 === 0 ? extremes[(k + 3) % extremes.length] : random.normal();
    c.applyScales(f, d);
    const o = {
      step: k,
      epoch: k % 40,
      loss: k % 17 === 0 ? 50 : 1 + random.uniform(),
      vbar: 1e-3,
      entropyNorm: random.uniform(),
    };
    const decision = c.observe(o);
    assert.ok(decision.lr >= lrLow && decision.lr <= lrHigh, `lr ${decision.lr} at ${k}`);
    assert.ok(decision.momentum >= 0.5 && decision.momentum <= 0.99, `momentum ${decision.momentum} at ${k}`);
  }
});

Deno.test("Faithful controller: greedy actions reuse Q-values as magnitudes and apply additively (s' = s)", () => {
  const c = new FaithfulController(FAITHFUL, new ScriptedRandom([0.5, 0.5])); // epsilon 0: greedy
  const o = { loss: 1, vbar: 0.5, vbarPrev: 0, entropy: -100, epoch: 1 };
  const state = FaithfulController.stateKey(o);
  c.q.set(state, [-0.2, -0.1, 0, 0, 0, 0]); // lr: Q_mult < Q_add -> a = Q_add = -0.1 (additive)
  const d = c.decide(o);
  assert.deepEqual(d.action, { lr: -0.1, momentum: 1, grad: 1 });
  assertClose([c.scales.lr], [0.9], { rtol: 1e-12 }, "P_lr += -0.1");
  assertClose([d.lr], [0.01 * 0.9], { rtol: 1e-12 }, "lr");
  const reward = c.learn(o, d.state, d.action);
  assertClose([reward], [-0.5], { rtol: 1e-12 }, "reward -(|0.5 - 0| + 0.1 * 0)");
  // lr additive entry: Q += 0.1 (r + 0.9 max(Q[s]) - Q) with s' = s, max taken afresh per scale.
  const row = c.q.get(state)!;
  const lrAdd = -0.1 + 0.1 * (-0.5 + 0.9 * 0 - -0.1);
  assertClose([row[1]], [lrAdd], { rtol: 1e-12 }, "Q[s][lr_add]");
  const momMult = 0.1 * (-0.5 + 0.9 * 0 - 0);
  assertClose([row[2]], [momMult], { rtol: 1e-12 }, "Q[s][momentum_mult]");
  const gradMult = 0.1 * (-0.5 + 0.9 * 0 - 0);
  assertClose([row[4]], [gradMult], { rtol: 1e-12 }, "Q[s][grad_mult]");
});

const STEPS_PER_EPOCH = 4, EPOCHS = 8;

testBothBackends(
  "Faithful mode: compounding lr and momentum forced to 0.99 (1 - e/20) for e >= 3 (scripted stream)",
  async (backend) => {
    const layout = new ParameterLayout([{ name: "w", shape: [20] }, { name: "b", shape: [1] }]);
    const opt = new EnhancedSGD(backend, layout, {
      mode: "faithful",
      stepsPerEpoch: STEPS_PER_EPOCH,
      epsilon: 0,
    }, {
      random: new ScriptedRandom([]),
    });
    const steps = STEPS_PER_EPOCH * EPOCHS;
    opt.faithful!.scripted = Array.from({ length: steps }, () => ({ lr: 1.05, momentum: 1, grad: 1 }));
    const params = backend.tensor(toF32(testValues(21, 4)));
    let lr = 0.01, m = 0.9, pLr = 1;
    for (let t = 1; t <= steps; t++) {
      const gradient = backend.tensor(toF32(testValues(21, 50 + t, -0.1, 0.1))), loss = backend.tensor([1]);
      await opt.step(params, gradient, loss);
      backend.dispose(gradient, loss);
      const e = Math.floor((t - 1) / STEPS_PER_EPOCH) + 1, d = Math.max(0.5, 1 - e / 20);
      pLr *= 1.05;
      lr = lr * Math.min(Math.max(pLr, 0.5), 1.5 * d);
      m = Math.min(Math.max(m, 0.85), 0.99 * d);
      const row = opt.telemetry[t - 1];
      assert.equal(row.epoch, e);
      assertClose([row.lr, row.momentum], [lr, m], { rtol: 1e-12 }, `step ${t}`);
      if (e >= 3) {
        assertClose([row.momentum], [0.99 * (1 - e / 20)], { rtol: 1e-12 }, `forced momentum, epoch ${e}`);
      }
    }
    // lr compounds: by epoch 8 the per-step factor is min(1.05^t, 1.5 * 0.6) = 0.9 < 1, before that > 1.
    const lrs = opt.telemetry.map((r) => r.lr);
    assert.ok(
      lrs[STEPS_PER_EPOCH * 5] > 0.01 * 1.05 ** 10,
      `lr grew geometrically: ${lrs[STEPS_PER_EPOCH * 5]}`,
    );
    assert.ok(lrs[steps - 1] < lrs[steps - 2], "lr shrinks every step once 1.5 D < 1 (e >= 7)");
    // The state holds the raw epoch: no state of one epoch is seen again in another.
    assert.ok(opt.faithful!.q.size >= EPOCHS, `Q-table size ${opt.faithful!.q.size}`);
    opt.dispose();
    backend.dispose(params);
  },
);

testBothBackends("Lookahead around EnhancedSGD synchronises every k steps", async (backend) => {
  const layout = new ParameterLayout([{ name: "w", shape: [30] }]);
  const options = { lr: 0.05, seed: 3, controllerEvery: 2 };
  const { optimizer } = createEnhancedSgd(backend, layout, options, { k: 3, alpha: 0.5 });
  const twin = new EnhancedSGD(backend, layout, options);
  const p0 = toF32(testValues(30, 8));
  const params = backend.tensor(p0), twinParams = backend.tensor(p0);
  for (let t = 1; t <= 3; t++) {
    const g = toF32(testValues(30, 70 + t)), gradient = backend.tensor(g), loss = backend.tensor([1 / t]);
    await optimizer.step(params, gradient, loss);
    await twin.step(twinParams, gradient, loss);
    backend.dispose(gradient, loss);
    if (t < 3) {
      assertClose(
        await backend.read(params),
        await backend.read(twinParams),
        { atol: 0 },
        `fast = plain before sync (${t})`,
      );
    }
  }
  const fast = await backend.read(twinParams);
  const slow = Float64Array.from(p0, (v, i) => v + 0.5 * (fast[i] - v));
  assertClose(await backend.read(params), slow, { atol: 1e-6 }, "fast restarts from the slow weights");
  assertClose((await (optimizer as Lookahead).slowWeights())!, slow, { atol: 1e-6 }, "slow weights");
  optimizer.dispose();
  twin.dispose();
  backend.dispose(params, twinParams);
});

Deno.test("EnhancedSGD refuses inert arguments with the reason, and crossed bounds", () => {
  assert.throws(
    () => resolveEnhancedSgd({ gradientBufferSize: 100 } as never),
    /retention buffer it never reads/,
  );
  assert.throws(() => resolveEnhancedSgd({ decay: 0.99 } as never), /"decay" is refused/);
  assert.throws(() => resolveEnhancedSgd({ lookaheadK: 5 } as never), /Lookahead/);
  assert.throws(() => resolveEnhancedSgd({ gradScale: 1 } as never), /never applied/);
  assert.throws(() => resolveEnhancedSgd({ frobnicate: 1 } as never), /unknown option "frobnicate"/);
  assert.throws(() => resolveEnhancedSgd({ momentumBounds: [0.95, 0.85] }), /never cross/);
  assert.throws(() => resolveEnhancedSgd({ mode: "faithful" }), /stepsPerEpoch/);
  assert.throws(
    () => resolveEnhancedSgd({ mode: "faithful", stepsPerEpoch: 5, weightDecay: 0.01 }),
    /never applies weight_decay/,
  );
  assert.throws(
    () => resolveEnhancedSgd({ mode: "faithful", stepsPerEpoch: 5, controllerEvery: 10 }),
    /every step/,
  );
  assert.equal(resolveEnhancedSgd({ mode: "faithful", stepsPerEpoch: 5 }).clipMin, 0.5);
});

testBothBackends("EnhancedSGD state export/import continues a clean run bit for bit", async (backend) => {
  const layout = new ParameterLayout([{ name: "w", shape: [40] }, { name: "b", shape: [2] }]);
  const options = { lr: 0.05, seed: 9, controllerEvery: 2 };
  const p0 = toF32(testValues(42, 5));
  const grads = Array.from({ length: 8 }, (_, t) => toF32(testValues(42, 200 + t)));
  const stepAll = async (
    opt: EnhancedSGD,
    params: ReturnType<typeof backend.tensor>,
    from: number,
    to: number,
  ) => {
    for (let t = from; t < to; t++) {
      const gradient = backend.tensor(grads[t]), loss = backend.tensor([1 + Math.cos(t)]);
      await opt.step(params, gradient, loss);
      backend.dispose(gradient, loss);
    }
  };
  const a = new EnhancedSGD(backend, layout, options), pa = backend.tensor(p0);
  await stepAll(a, pa, 0, 8);
  const b = new EnhancedSGD(backend, layout, options), pb = backend.tensor(p0);
  await stepAll(b, pb, 0, 5);
  const state = await b.exportState();
  const saved = await backend.read(pb);
  b.dispose();
  const c = new EnhancedSGD(backend, layout, options), pc = backend.tensor(saved);
  c.importState(state);
  await stepAll(c, pc, 5, 8);
  assertClose(await backend.read(pc), await backend.read(pa), { atol: 0 }, "parameters after resume");
  assert.deepEqual(
    c.telemetry.map((r) => r.lr),
    a.telemetry.slice(-2).map((r) => r.lr),
    "the controller's lr after resume",
  );
  a.dispose();
  c.dispose();
  backend.dispose(pa, pb, pc);
});

Deno.test("Clean Q-learning on a scripted reward sequence matches the closed form", () => {
  const c = new QController(CLEAN, new ScriptedRandom([]));
  // A two-state chain: (a, 0) -> b with reward r_k, then (b, 4) -> a with reward 0, repeated.
  const rewards = [1, -0.5, 0.25, 2];
  let qa = 0, qb = 0;
  for (const r of rewards) {
    c.learn("a", 0, r, "b");
    qa += 0.1 * (r + 0.9 * Math.max(qb, 0) - qa);
    c.learn("b", 4, 0, "a");
    qb += 0.1 * (0 + 0.9 * Math.max(qa, 0) - qb);
  }
  assertClose([c.q.get("a")![0], c.q.get("b")![4]], [qa, qb], { rtol: 1e-12 }, "Q after the script");
  assert.equal(c.q.size, 2);
});

Deno.test("EnhancedSGD faithful state with a large Q-table survives export and import", async () => {
  const backend = new ReferenceBackend();
  const layout = new ParameterLayout([{ name: "w", shape: [3] }]);
  const a = new EnhancedSGD(backend, layout, { mode: "faithful", stepsPerEpoch: 10 });
  for (let k = 0; k < 20_000; k++) a.faithful!.q.set(`${k / 100}|0|-3.5|1|1`, [-k, 0, 0, 0, 0, -1]);
  const state = await a.exportState();
  const b = new EnhancedSGD(backend, layout, { mode: "faithful", stepsPerEpoch: 10 });
  b.importState(state);
  assert.equal(b.faithful!.q.size, 20_000);
  assert.deepEqual(b.faithful!.q.get("199.99|0|-3.5|1|1"), [-19999, 0, 0, 0, 0, -1]);
  a.dispose();
  b.dispose();
});
