// The 2x2 max-pool gather (the max-pool's R-operator): the float64 reference against central differences
// of the max-pool, its adjoint (the max-pool backward) and a closed form with ties; the GPU kernel against
// the reference exactly (a gather copies values), ties and odd sizes included; bad shapes and buffers.
import { assert, assertClose, assertExact } from "./_assert.ts";
import { testGpuOnly } from "./_backends.ts";
import type { GpuContext } from "../lib/gpu/device.ts";
import { createBuffer, readBuffers, uploadBuffer } from "../lib/gpu/buffers.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";
import { randomReference } from "../lib/rng/philox.ts";
import {
  maxPool2dBackwardReference,
  maxPool2dForwardReference,
  type PoolShape,
} from "../lib/reference/pool.ts";
import { maxPool2dGatherReference } from "../lib/reference/pool_gather.ts";
import { encodeMaxPool2dGather } from "../kernels/pool/pool_gather.ts";

function normals(n: number, seed: number, stream = 0): Float32Array {
  return Float32Array.from(randomReference(1, n, { seed, stream }) as Float64Array);
}

/** Integers in {-1, 0, 1}: most 2x2 windows have ties. */
function ties(n: number, seed: number): Float32Array {
  const u = randomReference(1, n, { seed, stream: 1, distribution: "uniform" }) as Float64Array;
  return Float32Array.from(u, (v) => Math.floor(v * 3) - 1);
}

const size = (s: PoolShape) => s.batch * s.channels * s.height * s.width;
const outSize = (s: PoolShape) => s.batch * s.channels * Math.floor(s.height / 2) * Math.floor(s.width / 2);

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

Deno.test("max-pool gather reference: the derivative of the max-pool along v (no ties)", () => {
  const s: PoolShape = { batch: 2, channels: 3, height: 5, width: 6 };
  const x = normals(size(s), 3), v = normals(size(s), 4, 1);
  // Normal draws have gaps far above h |v|, so no window switches inside +-h v: the max-pool is linear
  // there and the central difference is exact up to roundoff ~ 1e-16 |x| / h ~ 1e-10.
  const h = 1e-5;
  const plus = maxPool2dForwardReference(s, Float64Array.from(x, (t, i) => t + h * v[i]));
  const minus = maxPool2dForwardReference(s, Float64Array.from(x, (t, i) => t - h * v[i]));
  const fd = plus.map((p, i) => (p - minus[i]) / (2 * h));
  const diff = assertClose(maxPool2dGatherReference(s, x, v), fd, { atol: 1e-9 }, "gather vs d/dt maxpool");
  console.log(`  max diff ${diff.toExponential(1)}`);
});

Deno.test("max-pool gather reference: adjoint of the max-pool backward, ties included", () => {
  // <gather(x, v), g> = <v, maxpoolBackward(x, g)>: both pick the same first maximum, ties or not.
  for (const draw of [normals, ties]) {
    const s: PoolShape = { batch: 3, channels: 2, height: 7, width: 4 };
    const x = draw(size(s), 5), v = normals(size(s), 6, 2), g = normals(outSize(s), 7, 3);
    const gathered = maxPool2dGatherReference(s, x, v);
    const left = dot(gathered, g), right = dot(v, maxPool2dBackwardReference(s, x, g));
    // Two float64 sums of the same products in different orders: 1e-14 of the sum of |terms|.
    const terms = dot(Array.from(gathered, Math.abs), Array.from(g, Math.abs));
    assertClose([left], [right], { atol: 1e-14 * terms }, `adjoint (${draw.name})`);
    assert.ok(terms > 0);
  }
});

Deno.test("max-pool gather reference: first maximum on ties, dropped odd rows, bad input", () => {
  const s: PoolShape = { batch: 1, channels: 1, height: 3, width: 4 };
  const x = [1, 5, 2, 2, 5, 0, 2, 2, 9, 9, 9, 9], v = x.map((_, i) => 10 * i);
  // Window 1 ties (5 at (0,1) and (1,0)): (0,1) wins; window 2 is all 2s: (0,0) of it, element 2.
  assertExact(maxPool2dGatherReference(s, x, v), [10, 20]);
  assert.throws(() => maxPool2dGatherReference({ ...s, width: 1 }, [1, 2, 3], [1, 2, 3]), /width is 1/);
  assert.throws(() => maxPool2dGatherReference(s, x, v.slice(1)), /v has 11 elements, expected 12/);
});

async function runGather(gpu: GpuContext, s: PoolShape, x: Float32Array, v: Float32Array) {
  const xb = uploadBuffer(gpu, x, "gather x"), vb = uploadBuffer(gpu, v, "gather v");
  const yb = createBuffer(gpu, outSize(s) * 4, "gather y");
  const rec = new CommandRecorder(gpu);
  await encodeMaxPool2dGather(rec, { shape: s, x: xb, v: vb, y: yb });
  rec.flush();
  const [y] = await readBuffers(gpu, [{ buffer: yb, byteLength: outSize(s) * 4 }]);
  for (const b of [xb, vb, yb]) b.destroy();
  return new Float32Array(y);
}

testGpuOnly("max-pool gather kernel equals the reference exactly at odd sizes and on ties", async (gpu) => {
  const shapes: [PoolShape, typeof normals][] = [
    [{ batch: 2, channels: 3, height: 7, width: 9 }, normals],
    [{ batch: 1, channels: 1, height: 2, width: 3 }, normals],
    [{ batch: 3, channels: 5, height: 6, width: 4 }, ties],
    [{ batch: 1, channels: 65, height: 5, width: 5 }, ties],
  ];
  for (const [s, draw] of shapes) {
    const x = draw(size(s), 8), v = normals(size(s), 9, 4);
    assertExact(await runGather(gpu, s, x, v), maxPool2dGatherReference(s, x, v), JSON.stringify(s));
  }
});

testGpuOnly("max-pool gather kernel rejects bad shapes, small buffers and aliasing", async (gpu) => {
  const s: PoolShape = { batch: 1, channels: 2, height: 4, width: 4 };
  const x = createBuffer(gpu, 32 * 4, "x"),
    v = createBuffer(gpu, 32 * 4, "v"),
    y = createBuffer(gpu, 8 * 4, "y");
  const rec = new CommandRecorder(gpu);
  const gather = (a: Partial<Parameters<typeof encodeMaxPool2dGather>[1]>) => () =>
    encodeMaxPool2dGather(rec, { shape: s, x, v, y, ...a });
  await assert.rejects(gather({ shape: { ...s, height: 1 } }), /height is 1, must be >= 2/);
  await assert.rejects(gather({ v: y }), /v needs 32 floats/);
  const tiny = createBuffer(gpu, 4, "tiny");
  await assert.rejects(gather({ y: tiny }), /y needs 8 floats/);
  await assert.rejects(gather({ y: v }), /y must be a different buffer/);
  assert.equal(rec.dispatchCount, 0);
  for (const b of [x, v, y, tiny]) b.destroy();
});
