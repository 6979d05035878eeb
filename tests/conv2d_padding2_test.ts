/**
 * Conv2d with a 5x5 kernel and zero padding 2 (the "same" 5x5 layer of the seed project's BYOL network):
 * the float64 reference's gradients against central differences of its forward pass, and both GPU
 * variants (direct kernels and im2col + matmul) against the reference through the backend-level layer ops.
 */
import { assert, assertClose, testValues, U32 } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import {
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dForwardReference,
  type Conv2dShape,
  conv2dSizes,
} from "../lib/reference/conv2d.ts";
import { conv2d, conv2dBackward } from "../lib/models/conv_ops.ts";
import { setConv2dAutoVariant } from "../kernels/conv/conv2d_variant.ts";

const SAME_5X5: Conv2dShape = {
  batch: 2,
  inChannels: 3,
  outChannels: 9,
  height: 6,
  width: 7,
  kernelSize: 5,
  padding: 2,
};

function data(s: Conv2dShape, seed: number) {
  const sizes = conv2dSizes(s);
  return {
    x: testValues(sizes.inputSize, seed),
    weight: testValues(sizes.weightSize, seed + 1, -0.5, 0.5),
    bias: testValues(s.outChannels, seed + 2),
    gradOutput: testValues(sizes.outputSize, seed + 3),
  };
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

Deno.test("conv2d padding 2 (5x5) keeps the image size and only the 5x5 kernel accepts it", () => {
  const sizes = conv2dSizes(SAME_5X5);
  assert.equal(sizes.outHeight, 6);
  assert.equal(sizes.outWidth, 7);
  assert.throws(() => conv2dSizes({ ...SAME_5X5, kernelSize: 3 }), /padding is 2/);
  assert.throws(() => conv2dSizes({ ...SAME_5X5, padding: 3 as 2 }), RangeError);
});

Deno.test("conv2d padding 2 reference: gradients equal float64 central differences", () => {
  const s = { ...SAME_5X5, outChannels: 2 }, d = data(s, 7), h = 1e-6;
  const loss = (x: ArrayLike<number>, w: ArrayLike<number>) =>
    dot(conv2dForwardReference(s, x, w, d.bias), d.gradOutput);
  const central = (v: Float64Array, at: (p: Float64Array) => number) =>
    v.map((_, i) => {
      const plus = v.slice(), minus = v.slice();
      plus[i] += h;
      minus[i] -= h;
      return (at(plus) - at(minus)) / (2 * h);
    });
  const dx = conv2dBackwardInputReference(s, d.gradOutput, d.weight);
  const { gradWeight } = conv2dBackwardWeightReference(s, d.x, d.gradOutput);
  assertClose(dx, central(d.x, (x) => loss(x, d.weight)), { atol: 1e-7 }, "dL/dx");
  assertClose(gradWeight, central(d.weight, (w) => loss(d.x, w)), { atol: 1e-7 }, "dL/dw");
});

for (const variant of ["direct", "gemm"] as const) {
  testBothBackends(
    `conv2d padding 2 (5x5) forward and backward match float64 (${variant})`,
    async (backend) => {
      const s = SAME_5X5, d = data(s, 3);
      setConv2dAutoVariant(variant);
      try {
        const x = backend.tensor(d.x), w = backend.tensor(d.weight), b = backend.tensor(d.bias);
        const y = await backend.read(await conv2d(backend, x, w, b, s));
        const g = await conv2dBackward(backend, x, w, backend.tensor(d.gradOutput), s);
        const wantY = conv2dForwardReference(s, d.x, d.weight, d.bias);
        const wantDx = conv2dBackwardInputReference(s, d.gradOutput, d.weight);
        const wantW = conv2dBackwardWeightReference(s, d.x, d.gradOutput);
        // Sums of up to C_in 25 (forward, input gradient) or N H W (weight gradient) terms of size <= 1.
        assertClose(y, wantY, { atol: 8 * 80 * U32 * 2 }, "y");
        assertClose(await backend.read(g.gradInput!), wantDx, { atol: 8 * 230 * U32 }, "dx");
        assertClose(await backend.read(g.gradWeight), wantW.gradWeight, { atol: 8 * 90 * U32 }, "dw");
        assertClose(await backend.read(g.gradBias), wantW.gradBias, { atol: 8 * 90 * U32 }, "db");
      } finally {
        setConv2dAutoVariant("auto");
      }
    },
  );
}
