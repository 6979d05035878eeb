/**
 * Back-propagating a given output gradient through a layer stack (lib/models/layer_stack.ts): the flat
 * parameter gradient and dL/d(input) of L = sum(r * f(x)) against float64 central differences, the GPU
 * against the float64 reference, and the trainable-parameter filter the seed BYOL variant uses.
 */
import { assert, assertClose, testValues, U32 } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { type LayerSpec, LayerStack } from "../lib/models/layer_stack.ts";

const BATCH = 3;

/** Every layer kind: convs (3x3 pad 1, 5x5 pad 2), batch norm on images and vectors, pools, dense, L2 norm. */
function network(activation: "tanh" | "relu"): LayerStack {
  const layers: LayerSpec[] = [
    { kind: "conv2d", name: "conv1", outChannels: 2, kernelSize: 3, padding: 1 },
    { kind: "batchNorm", name: "bn1" },
    { kind: "activation", activation },
    { kind: "conv2d", name: "conv2", outChannels: 3, kernelSize: 5, padding: 2 },
    { kind: "maxPool2d" },
    { kind: "globalAvgPool" },
    { kind: "dense", name: "fc1", outFeatures: 4 },
    { kind: "batchNorm", name: "bn2" },
    { kind: "activation", activation: activation === "tanh" ? "silu" : "relu" },
    { kind: "dense", name: "fc2", outFeatures: 3 },
    { kind: "rowL2Normalize" },
  ];
  return new LayerStack({ channels: 1, height: 6, width: 6 }, layers);
}

async function lossAndGradient(
  backend: Backend,
  net: LayerStack,
  params: ArrayLike<number>,
  x: ArrayLike<number>,
) {
  const r = testValues(BATCH * 3, 77, -1, 1);
  const state = net.createState(backend);
  const xs = backend.tensor(x, [BATCH, 1, 6, 6]);
  const trace = await net.forward(backend, backend.tensor(params), xs, { mode: "train", state });
  const out = Float64Array.from(await backend.read(trace.outputs[trace.outputs.length - 1]));
  const loss = out.reduce((s, v, i) => s + v * r[i], 0);
  const g = await net.backward(backend, trace, backend.tensor(r, [BATCH, 3]), { input: true });
  const result = {
    loss,
    gradient: await backend.read(g.gradient),
    gradInput: await backend.read(g.gradInput!),
  };
  net.dispose(backend, trace);
  return result;
}

Deno.test("layer stack: the gradient of a given output gradient equals float64 central differences [reference]", async () => {
  const backend = new ReferenceBackend(), net = network("tanh"), h = 1e-6;
  const params = net.initialValues(3).map((v, i) => v + 0.1 * Math.sin(i)); // biases and BN affine off 0/1
  const x = testValues(BATCH * 36, 5, 0, 1);
  const { gradient, gradInput } = await lossAndGradient(backend, net, params, x);
  const loss = async (p: Float64Array, xs: Float64Array) => (await lossAndGradient(backend, net, p, xs)).loss;
  const central = async (v: Float64Array, at: (w: Float64Array) => Promise<number>) => {
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const plus = v.slice(), minus = v.slice();
      plus[i] += h;
      minus[i] -= h;
      out[i] = (await at(plus) - await at(minus)) / (2 * h);
    }
    return out;
  };
  assertClose(gradient, await central(params, (p) => loss(p, x)), { atol: 2e-8, rtol: 1e-6 }, "dL/dtheta");
  assertClose(gradInput, await central(x, (xs) => loss(params, xs)), { atol: 2e-8, rtol: 1e-6 }, "dL/dx");
  assert.equal(gradient.length, net.layout.count);
});

testBothBackends("layer stack: gradients match the float64 reference (ReLU network)", async (backend) => {
  const net = network("relu"), params = net.initialValues(11).map((v, i) => v + 0.05 * Math.cos(i));
  const x = testValues(BATCH * 36, 9, 0, 1);
  const want = await lossAndGradient(new ReferenceBackend(), net, params, x);
  const got = await lossAndGradient(backend, net, params, x);
  const scale = Math.max(...want.gradient.map(Math.abs));
  // Float32 through 11 layers with two batch norms: bound relative to the largest gradient.
  assertClose(got.gradient, want.gradient, { atol: 2e3 * U32 * scale }, "dL/dtheta");
  assertClose(
    got.gradInput,
    want.gradInput,
    { atol: 2e3 * U32 * Math.max(...want.gradInput.map(Math.abs)) },
    "dL/dx",
  );
});

testBothBackends(
  "layer stack: a trainable filter gives those parameters' gradients and zeros elsewhere",
  async (backend) => {
    const net = network("relu"), params = net.initialValues(4), x = testValues(BATCH * 36, 2, 0, 1);
    const r = testValues(BATCH * 3, 77, -1, 1);
    const run = async (trainable?: (n: string) => boolean) => {
      const trace = await net.forward(backend, backend.tensor(params), backend.tensor(x), {
        mode: "train",
        state: net.createState(backend),
      });
      const g = await net.backward(backend, trace, backend.tensor(r, [BATCH, 3]), { trainable });
      assert.equal(g.gradInput, undefined);
      return backend.read(g.gradient);
    };
    const full = await run(), firstOnly = await run((n) => n.startsWith("conv1.") || n.startsWith("bn1."));
    for (const view of net.layout.views) {
      const slice = (a: ArrayLike<number>) => Array.from(a).slice(view.offset, view.offset + view.size);
      const first = view.name.startsWith("conv1.") || view.name.startsWith("bn1.");
      assertClose(slice(firstOnly), first ? slice(full) : slice(full).map(() => 0), { atol: 0 }, view.name);
    }
    assert.ok(Math.max(...Array.from(full).map(Math.abs)) > 0);
  },
);

Deno.test("layer stack: a layer that does not fit its input throws RangeError", () => {
  assert.throws(
    () =>
      new LayerStack({ features: 4 }, [{
        kind: "conv2d",
        name: "c",
        outChannels: 1,
        kernelSize: 3,
        padding: 1,
      }]),
    /expected an image/,
  );
  assert.throws(
    () =>
      new LayerStack({ channels: 1, height: 2, width: 2 }, [{
        kind: "conv2d",
        name: "c",
        outChannels: 1,
        kernelSize: 5,
        padding: 0,
      }]),
    RangeError,
  );
});
