/**
 * BYOL (lib/byol): both losses against float64 formulas on tiny networks, the EMA update and tau schedule,
 * the symmetric loss's gradient against float64 central differences, and a short training run that lowers
 * the loss, on both backends.
 */
import { assert, assertClose, testValues, U32 } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import type { Backend } from "../lib/backend/backend.ts";
import type { Tensor } from "../lib/backend/tensor.ts";
import {
  ByolTrainer,
  type ByolVariant,
  canonicalLossReference,
  cosineTau,
  emaUpdate,
  seedLossReference,
  shapesViewSource,
} from "../lib/byol/mod.ts";
import { ParameterLayout } from "../lib/models/parameters.ts";
import type { LayerStack } from "../lib/models/layer_stack.ts";

const TINY = { channels: [2, 3, 4] as [number, number, number], hidden: 5, projection: 3 };
const INPUT = { channels: 1, height: 6, width: 6 };
const BATCH = 4;

function tinyTrainer(backend: Backend, variant: ByolVariant): ByolTrainer {
  return new ByolTrainer(backend, {
    variant,
    widths: TINY,
    input: INPUT,
    lr: 1e-2,
    tau: 0.9,
    steps: 10,
    seed: 3,
  });
}

function views(backend: Backend): [Tensor, Tensor] {
  const n = BATCH * 36;
  return [
    backend.tensor(testValues(n, 1, 0, 1), [BATCH, 1, 6, 6]),
    backend.tensor(testValues(n, 2, 0, 1), [BATCH, 1, 6, 6]),
  ];
}

/** A target moved off the online network (init + noise), so that the loss is not trivially small. */
async function moveTarget(backend: Backend, t: ByolTrainer): Promise<void> {
  const init = t.target.initialValues(3), noise = testValues(init.length, 9, -0.3, 0.3);
  await backend.copy(backend.tensor(init.map((v, i) => v + noise[i])), t.targetParams);
}

/** The loss from the networks' float64 outputs, by the float64 formulas of lib/byol/loss.ts. */
async function referenceLoss(variant: ByolVariant): Promise<number> {
  const backend = new ReferenceBackend(), t = tinyTrainer(backend, variant);
  await moveTarget(backend, t);
  const [v1, v2] = views(backend);
  const out = async (net: LayerStack, params: Tensor, x: Tensor) => {
    const trace = await net.forward(backend, params, x, { mode: "train", state: net.createState(backend) });
    return Float64Array.from(await backend.read(trace.outputs[trace.outputs.length - 1]));
  };
  const p1 = await out(t.online, t.onlineParams, v1), p2 = await out(t.online, t.onlineParams, v2);
  const z1 = await out(t.target, t.targetParams, v1), z2 = await out(t.target, t.targetParams, v2);
  return variant === "seed"
    ? seedLossReference(p1, p2, z1, z2)
    : canonicalLossReference(p1, p2, z1, z2, BATCH, TINY.projection);
}

for (const variant of ["seed", "canonical"] as const) {
  testBothBackends(
    `BYOL ${variant}: the loss equals the float64 formula on the networks' outputs`,
    async (backend) => {
      const t = tinyTrainer(backend, variant);
      await moveTarget(backend, t);
      const got = (await backend.read((await t.lossAndGradient(...views(backend))).loss))[0];
      const want = await referenceLoss(variant);
      assert.ok(want > (variant === "seed" ? 1e-3 : 0.05), `loss ${want} is not trivially small`);
      // float32 through 14 layers with batch norms over 4 samples: a loose relative bound on webgpu.
      assertClose([got], [want], { rtol: backend.name === "reference" ? 1e-12 : 1e5 * U32 }, "loss");
    },
  );

  Deno.test(`BYOL ${variant}: the symmetric loss's gradient equals float64 central differences`, async () => {
    const backend = new ReferenceBackend(), t = tinyTrainer(backend, variant), h = 1e-6;
    await moveTarget(backend, t);
    const [v1, v2] = views(backend);
    const theta = Float64Array.from(await backend.read(t.onlineParams));
    const { gradient } = await t.lossAndGradient(v1, v2);
    const g = await backend.read(gradient);
    const lossAt = async (p: Float64Array) => {
      await backend.copy(backend.tensor(p), t.onlineParams);
      return (await backend.read((await t.lossAndGradient(v1, v2)).loss))[0];
    };
    let checked = 0;
    for (const view of t.online.layout.views) {
      const trained = variant === "canonical" || view.name.startsWith("conv1.") ||
        view.name.startsWith("bn1.");
      // Every element of the first-layer views, three of every other view (the loss is cheap but not free).
      const picks = trained && (view.name.startsWith("conv1.") || view.name.startsWith("bn1."))
        ? Array.from({ length: view.size }, (_, e) => e)
        : [0, Math.floor(view.size / 2), view.size - 1];
      for (const e of picks) {
        const i = view.offset + e, plus = theta.slice(), minus = theta.slice();
        plus[i] += h;
        minus[i] -= h;
        const central = (await lossAt(plus) - await lossAt(minus)) / (2 * h);
        assertClose([g[i]], [trained ? central : 0], { atol: 1e-7, rtol: 1e-5 }, `${view.name}[${e}]`);
        checked++;
      }
    }
    assert.ok(checked > 40);
  });
}

testBothBackends(
  "BYOL EMA: target <- tau target + (1 - tau) online over the selected views and a prefix",
  async (backend) => {
    const layout = new ParameterLayout([
      { name: "conv1.weight", shape: [3] },
      { name: "conv1.bias", shape: [2] },
      { name: "bn1.weight", shape: [2] },
      { name: "fc.weight", shape: [4] },
    ]);
    const target = testValues(layout.count, 4), online = testValues(layout.count + 5, 5); // online is longer
    const tau = 0.9;
    for (
      const [which, moved] of [[undefined, () => true], [
        (n: string) => n.startsWith("conv1."),
        (i: number) => i < 5,
      ]] as const
    ) {
      const t = backend.tensor(target), o = backend.tensor(online);
      await emaUpdate(backend, t, o, layout, tau, which);
      const want = Array.from(target, (v, i) => moved(i) ? tau * v + (1 - tau) * online[i] : v);
      assertClose(await backend.read(t), want, { atol: 4 * U32 }, "target");
    }
    await assert.rejects(
      () => emaUpdate(backend, backend.tensor(target), backend.tensor(online), layout, 1.5),
      RangeError,
    );
  },
);

Deno.test("BYOL tau schedule: cosine from tau_0 to 1", () => {
  assertClose([cosineTau(0.99, 0, 100), cosineTau(0.99, 50, 100), cosineTau(0.99, 100, 100)], [
    0.99,
    0.995,
    1,
  ], {
    atol: 1e-15,
  });
});

for (const variant of ["seed", "canonical"] as const) {
  testBothBackends(`BYOL ${variant}: a short training run on shapes lowers the loss`, async (backend) => {
    const source = shapesViewSource({ size: 64, seed: 1, augment: "host" });
    const t = new ByolTrainer(backend, {
      variant,
      widths: { channels: [4, 4, 8], hidden: 16, projection: 8 },
      input: source.shape,
      lr: variant === "seed" ? 1e-2 : 3e-3,
      tau: 0.9,
      steps: 20,
      seed: 1,
    });
    const probe = await source.views(backend, 1000, 8);
    const lossNow = async () => (await backend.read((await t.lossAndGradient(probe.v1, probe.v2)).loss))[0];
    const before = await lossNow();
    // The seed variant trains conv1 alone: it fits one fixed pair of batches; the canonical one fresh views.
    for (let s = 0; s < 20; s++) {
      const { v1, v2 } = variant === "seed" ? probe : await source.views(backend, s, 8);
      backend.dispose(await t.step(v1, v2));
      if (variant !== "seed") backend.dispose(v1, v2);
    }
    const after = await lossNow();
    console.log(`  ${variant}: loss ${before.toPrecision(4)} -> ${after.toPrecision(4)}`);
    assert.ok(after < 0.8 * before, `loss ${before} -> ${after}`);
  });
}
