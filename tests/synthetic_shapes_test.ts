// Synthetic shapes (specs/seed004 section 3.6), float64 reference: templates, exact sampling under
// integer and half-pixel shifts, determinism per index, label and noise statistics, bad arguments.
import { assert, assertClose, assertExact } from "./_assert.ts";
import { testGpuOnly } from "./_backends.ts";
import { createBuffer, readBuffers } from "../lib/gpu/buffers.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";
import { encodeSyntheticShapes } from "../kernels/synthetic_shapes/synthetic_shapes.ts";
import {
  SHAPE_SIZE,
  shapeLabel,
  shapeTemplate,
  shapeTransform,
  shapeView,
  syntheticShapes,
  transformImage,
} from "../lib/data/synthetic_shapes.ts";

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

Deno.test("synthetic shapes: templates have the bars of the spec", () => {
  // 3 x 32 bars; the diagonal band |i - j| <= 1 has 32 + 2 * 31 pixels; the cross shares a 3x3 block.
  assert.deepEqual([0, 1, 2, 3].map((l) => sum(shapeTemplate(l))), [96, 96, 94, 96 + 96 - 9]);
  const vertical = shapeTemplate(0), horizontal = shapeTemplate(1);
  assert.equal(vertical[0 * 32 + 15], 1);
  assert.equal(vertical[31 * 32 + 17], 1);
  assert.equal(vertical[5 * 32 + 14], 0);
  assert.equal(horizontal[16 * 32 + 0], 1);
  assert.throws(() => shapeTemplate(4), /label is 4/);
});

Deno.test("synthetic shapes: bilinear sampling is exact for integer shifts and averages half-pixel ones", () => {
  const t = shapeTemplate(3);
  assertExact(transformImage(t, { tx: 0, ty: 0, angle: 0 }), t, "identity");
  const shifted = transformImage(t, { tx: 2, ty: -1, angle: 0 });
  for (let i = 0; i < SHAPE_SIZE; i++) {
    for (let j = 0; j < SHAPE_SIZE; j++) {
      const si = i + 1, sj = j - 2; // the image moved right by 2 and up by 1
      const want = si >= 0 && si < 32 && sj >= 0 && sj < 32 ? t[si * 32 + sj] : 0;
      assert.equal(shifted[i * 32 + j], want);
    }
  }
  // Half a pixel right: each column is the mean of two template columns (zero padding at the edge).
  const half = transformImage(shapeTemplate(0), { tx: 0.5, ty: 0, angle: 0 });
  assertClose(
    Array.from({ length: 32 }, (_, j) => half[3 * 32 + j]),
    Array.from({ length: 32 }, (_, j) => {
      const col = (k: number) => (k >= 15 && k <= 17 ? 1 : 0);
      return 0.5 * (col(j - 1) + col(j));
    }),
    { atol: 1e-15 },
    "half-pixel shift",
  );
  // A small rotation about the centre keeps the bar's mass (the bar stays inside, bilinear preserves sums
  // up to the ends that rotate out of the frame).
  const rotated = transformImage(shapeTemplate(1), { tx: 0, ty: 0, angle: 0.1 });
  assert.ok(Math.abs(sum(rotated) - 96) < 6, `mass ${sum(rotated)}`);
});

Deno.test("synthetic shapes: deterministic per index, pairs differ, ranges respected", () => {
  const a = syntheticShapes(10, 3), b = syntheticShapes(11, 1);
  assertExact(b.images, a.images.subarray(1024, 2048), "same index, same image");
  assertExact(b.labels, a.labels.subarray(1, 2), "same label");
  const pairs = syntheticShapes(10, 2, { pairs: true });
  assertExact(pairs.images.subarray(0, 1024), Float32Array.from(shapeView(a.labels[0], 20)), "view 2 index");
  assertExact(
    pairs.second!.subarray(0, 1024),
    Float32Array.from(shapeView(a.labels[0], 21)),
    "view 2 index + 1",
  );
  assert.notDeepEqual(
    Array.from(pairs.images.subarray(0, 1024)),
    Array.from(pairs.second!.subarray(0, 1024)),
  );
  assert.notDeepEqual(
    Array.from(syntheticShapes(10, 1, { seed: 1 }).images),
    Array.from(a.images.subarray(0, 1024)),
  );
  for (let v = 0; v < 200; v++) {
    const t = shapeTransform(v);
    assert.ok(
      Math.abs(t.tx) <= 3 && Math.abs(t.ty) <= 3 && Math.abs(t.angle) <= Math.PI / 18,
      JSON.stringify(t),
    );
  }
  const images = syntheticShapes(0, 4).images;
  assert.ok(images.every((v) => v >= 0 && v <= 1));
});

Deno.test("synthetic shapes: label frequencies and background noise match their distributions", () => {
  const n = 4000, counts = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) counts[shapeLabel(i)]++;
  // Binomial(4000, 1/4): sd 27.4; allow 5 sd.
  for (const c of counts) assert.ok(Math.abs(c - n / 4) < 5 * 27.4, `label counts ${counts}`);
  // Far from the bars (rows 0..5, columns 0..5 of a vertical bar's view) the image is clamp(0.05 z, 0, 1):
  // mean 0.05 / sqrt(2 pi) = 0.019947, and half the pixels are exactly 0.
  let total = 0, zeros = 0, pixels = 0;
  for (let v = 0; v < 60; v++) {
    const view = shapeView(0, v);
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        total += view[i * 32 + j];
        zeros += view[i * 32 + j] === 0 ? 1 : 0;
        pixels++;
      }
    }
  }
  const mean = total / pixels; // sd of one pixel 0.05 sqrt(1/2 - 1/(2 pi)) = 0.0292; of the mean / sqrt(2160)
  assert.ok(Math.abs(mean - 0.05 / Math.sqrt(2 * Math.PI)) < 5 * 0.0292 / Math.sqrt(pixels), `mean ${mean}`);
  assert.ok(Math.abs(zeros / pixels - 0.5) < 5 * 0.5 / Math.sqrt(pixels), `zero share ${zeros / pixels}`);
  assertExact(
    shapeView(2, 7, { noiseStd: 0 }),
    transformImage(shapeTemplate(2), shapeTransform(7)).map((v) => Math.min(1, Math.max(0, v))),
  );
});

Deno.test("synthetic shapes: bad arguments throw RangeError", () => {
  assert.throws(() => syntheticShapes(-1, 2), /begin is -1/);
  assert.throws(() => syntheticShapes(0, 1.5), /count is 1.5/);
  assert.throws(() => shapeLabel(0, 2 ** 32), /seed is 4294967296/);
  assert.throws(() => shapeTransform(0.5), /view seed is 0.5/);
  assert.equal(syntheticShapes(5, 0).images.length, 0);
});

// GPU (float32 transform, bilinear weights and Box-Muller) against the float64 reference: labels
// exactly; pixels within 2e-5 (a stated bound: f32 sin/cos/log and coordinates, times noise 0.05).
testGpuOnly("synthetic shapes on the GPU match the reference (singles and pairs)", async (gpu) => {
  for (const pairs of [false, true]) {
    const begin = 5, count = 7, views = pairs ? 2 : 1;
    const images = createBuffer(gpu, views * count * 4096, "shapes"),
      labels = createBuffer(gpu, count * 4, "lab");
    const rec = new CommandRecorder(gpu);
    await encodeSyntheticShapes(rec, { begin, count, pairs, seed: 3, images, labels });
    rec.flush();
    const [img, lab] = await readBuffers(gpu, [{ buffer: images }, {
      buffer: labels,
      byteLength: count * 4,
    }]);
    const want = syntheticShapes(begin, count, { pairs, seed: 3 });
    assertExact(new Uint32Array(lab), want.labels, "labels");
    const got = new Float32Array(img);
    const wantAll = pairs ? [...want.images, ...want.second!] : want.images;
    const diff = assertClose(got, wantAll, { atol: 2e-5 }, "pixels");
    console.log(`  pairs ${pairs}: max pixel diff ${diff.toExponential(1)}`);
    images.destroy();
    labels.destroy();
  }
  const rec = new CommandRecorder(gpu);
  const small = createBuffer(gpu, 16, "small");
  await assert.rejects(
    () => encodeSyntheticShapes(rec, { begin: 0, count: 2, images: small, labels: small }),
    RangeError,
  );
  await assert.rejects(
    () => encodeSyntheticShapes(rec, { begin: 2 ** 31, count: 1, pairs: true, images: small, labels: small }),
    /last view seed/,
  );
  small.destroy();
});
