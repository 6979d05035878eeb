/**
 * The augmentation kernels (kernels/augment/, through lib/lpl/augment_views.ts) against the float64
 * reference (lib/reference/augment.ts) on both backends: exact cases (identity, flips, pad-and-crop
 * shifts, constant images), the full pipeline to float32 rounding, per-sample seeding independent of the
 * batch split, and the draws' statistics.
 */
import { assert, assertClose, assertExact, testValues } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import {
  augmentBatch,
  type AugmentOptions,
  augmentParameters,
  type AugmentShape,
  SEED_BYOL_AUGMENT,
  SIMCLR_AUGMENT,
} from "../lib/lpl/augment_views.ts";
import { augmentReference, augmentSampleParameters } from "../lib/reference/augment.ts";
import { resolveAugmentOptions } from "../kernels/augment/augment_types.ts";
import type { Backend } from "../lib/backend/backend.ts";

const SHAPE: AugmentShape = { batch: 6, channels: 2, height: 9, width: 7 };
const SIZE = SHAPE.batch * SHAPE.channels * SHAPE.height * SHAPE.width;
/** Test images in [0, 1] (float32 values). */
const IMAGES = testValues(SIZE, 7, 0, 1);

async function run(
  backend: Backend,
  options: AugmentOptions,
  seed = 5,
  step = 3,
  extra: { view?: number; sampleOffset?: number } = {},
  shape = SHAPE,
  images: ArrayLike<number> = IMAGES,
): Promise<Float64Array> {
  const x = backend.tensor(images, [shape.batch, shape.channels, shape.height, shape.width]);
  const y = await augmentBatch(backend, x, options, seed, step, extra);
  const out = Float64Array.from(await backend.read(y));
  backend.dispose(x, y);
  return out;
}

function reference(
  options: AugmentOptions,
  seed = 5,
  step = 3,
  extra: { view?: number; sampleOffset?: number } = {},
) {
  return augmentReference(SHAPE, IMAGES, resolveAugmentOptions(SHAPE, options), { seed, step, ...extra });
}

testBothBackends("augment: no option leaves the images unchanged, bit for bit", async (backend) => {
  assertExact(await run(backend, {}), IMAGES, "identity");
});

testBothBackends("augment: flip with probability 1 mirrors every row exactly", async (backend) => {
  const got = await run(backend, { flip: { probability: 1 } });
  const { width: w } = SHAPE;
  const want = IMAGES.map((_, i) => IMAGES[i - (i % w) + (w - 1 - (i % w))]);
  assertExact(got, want, "mirrored");
});

testBothBackends(
  "augment: pad-and-crop shifts by the drawn integer offsets (zero and reflect)",
  async (backend) => {
    for (const mode of ["zero", "reflect"] as const) {
      const options: AugmentOptions = { padCrop: { padding: 2, mode } };
      const got = await run(backend, options);
      const params = await augmentParameters(backend, SHAPE, options, 5, 3);
      const { channels: c, height: h, width: w } = SHAPE;
      const offsets = new Set<string>();
      for (let n = 0; n < SHAPE.batch; n++) {
        const { offsetX: dx, offsetY: dy } = params[n];
        assert.ok(Number.isInteger(dx) && dx >= 0 && dx <= 4 && Number.isInteger(dy) && dy >= 0 && dy <= 4);
        offsets.add(`${dx},${dy}`);
        for (let k = 0; k < c * h * w; k++) {
          const x = k % w, y = Math.floor(k / w) % h, base = n * c * h * w + (k - (k % (h * w)));
          let qx = x + dx - 2, qy = y + dy - 2, want: number;
          if (qx < 0 || qx >= w || qy < 0 || qy >= h) {
            if (mode === "zero") want = 0;
            else {
              qx = qx < 0 ? -qx : qx >= w ? 2 * (w - 1) - qx : qx;
              qy = qy < 0 ? -qy : qy >= h ? 2 * (h - 1) - qy : qy;
              want = IMAGES[base + qy * w + qx];
            }
          } else want = IMAGES[base + qy * w + qx];
          assert.equal(got[n * c * h * w + k], want, `${mode} sample ${n} element ${k}`);
        }
      }
      assert.ok(offsets.size >= 2, `the ${SHAPE.batch} samples draw different offsets`);
    }
  },
);

testBothBackends("augment: draws match the float64 reference (discrete ones exactly)", async (backend) => {
  const got = await augmentParameters(backend, SHAPE, SIMCLR_AUGMENT, 11, 4, { view: 1, sampleOffset: 9 });
  const o = resolveAugmentOptions(SHAPE, SIMCLR_AUGMENT);
  for (let n = 0; n < SHAPE.batch; n++) {
    const want = augmentSampleParameters(SHAPE, o, { seed: 11, step: 4, view: 1 }, 9 + n);
    for (const k of ["offsetX", "offsetY", "flip", "jitter"] as const) assert.equal(got[n][k], want[k], k);
    assert.equal(got[n].sigma > 0, want.sigma > 0, "blurred");
    for (
      const k of ["cropX", "cropY", "cropWidth", "cropHeight", "brightness", "contrast", "sigma"] as const
    ) {
      assertClose([got[n][k]], [want[k]], { atol: 1e-5, rtol: 1e-5 }, `sample ${n} ${k}`);
    }
  }
});

testBothBackends("augment: the full pipeline matches the float64 reference", async (backend) => {
  const cases: [string, AugmentOptions][] = [
    ["simclr", SIMCLR_AUGMENT],
    ["seed byol", SEED_BYOL_AUGMENT],
    ["everything", {
      ...SIMCLR_AUGMENT,
      padCrop: { padding: 1, mode: "zero" },
      blur: { probability: 1, radius: 2 },
    }],
    ["no clamp", { ...SIMCLR_AUGMENT, clamp: false, brightnessContrast: { brightness: 0.9, contrast: 0.9 } }],
  ];
  for (const [name, options] of cases) {
    const got = await run(backend, options, 21, 8, { view: 1, sampleOffset: 100 });
    const want = reference(options, 21, 8, { view: 1, sampleOffset: 100 });
    const diff = assertClose(got, want, { atol: 2e-5 }, name);
    assert.ok(diff <= 2e-5);
    assert.ok(want.some((v, i) => Math.abs(v - IMAGES[i]) > 0.05), `${name} changes the images`);
  }
});

testBothBackends("augment: a sample's view does not depend on the batch split", async (backend) => {
  const options = SIMCLR_AUGMENT;
  const whole = await run(backend, options, 3, 2, { view: 0, sampleOffset: 10 });
  const half: AugmentShape = { ...SHAPE, batch: 3 }, halfSize = SIZE / 2;
  const first = await run(
    backend,
    options,
    3,
    2,
    { view: 0, sampleOffset: 10 },
    half,
    IMAGES.subarray(0, halfSize),
  );
  const second = await run(
    backend,
    options,
    3,
    2,
    { view: 0, sampleOffset: 13 },
    half,
    IMAGES.subarray(halfSize),
  );
  assertExact(whole.subarray(0, halfSize), first, "first half");
  assertExact(whole.subarray(halfSize), second, "second half");
  const again = await run(backend, options, 3, 2, { view: 0, sampleOffset: 10 });
  assertExact(again, whole, "same key, same bits");
  for (
    const other of [{ seed: 4, step: 2, view: 0 }, { seed: 3, step: 3, view: 0 }, {
      seed: 3,
      step: 2,
      view: 1,
    }]
  ) {
    const changed = await run(backend, options, other.seed, other.step, {
      view: other.view,
      sampleOffset: 10,
    });
    assert.ok(
      changed.some((v, i) => v !== whole[i]),
      `another key ${JSON.stringify(other)} changes the views`,
    );
  }
});

testBothBackends("augment: brightness and contrast on constant images", async (backend) => {
  const shape: AugmentShape = { batch: 4, channels: 1, height: 3, width: 3 };
  const flat = new Float64Array(36).fill(0.25);
  const options: AugmentOptions = { brightnessContrast: { brightness: 0.5, contrast: 0.5 } };
  const got = await run(backend, options, 1, 0, {}, shape, flat);
  const params = await augmentParameters(backend, shape, options, 1, 0);
  for (let n = 0; n < 4; n++) {
    // contrast about the image's own mean leaves a constant image at b v
    const want = new Array(9).fill(0.25 * params[n].brightness);
    assertClose(got.subarray(9 * n, 9 * n + 9), want, { atol: 1e-7 }, `sample ${n}`);
    assert.ok(params[n].brightness >= 0.5 && params[n].brightness <= 1.5);
  }
});

Deno.test("augment: draws have the asked frequencies and ranges (float64 reference)", () => {
  const shape: AugmentShape = { batch: 1, channels: 1, height: 32, width: 32 };
  const o = resolveAugmentOptions(shape, { ...SIMCLR_AUGMENT, padCrop: { padding: 4 } });
  const n = 4000;
  let flips = 0, jitters = 0, blurs = 0, area = 0;
  const offsets = new Array(9).fill(0);
  for (let s = 0; s < n; s++) {
    const p = augmentSampleParameters(shape, o, { seed: 2, step: 0 }, s);
    flips += p.flip;
    jitters += p.jitter;
    blurs += p.sigma > 0 ? 1 : 0;
    offsets[p.offsetX]++;
    area += (p.cropWidth * p.cropHeight) / 1024;
    assert.ok(p.cropX >= 0 && p.cropX + p.cropWidth <= 32 + 1e-9 && p.cropWidth > 0);
    if (p.sigma > 0) assert.ok(p.sigma >= 0.1 && p.sigma <= 2);
    if (p.jitter) {
      assert.ok(p.brightness >= 0.2 && p.brightness <= 1.8 && p.contrast >= 0.2 && p.contrast <= 1.8);
    }
  }
  const sd = (p: number) => 4 * Math.sqrt((p * (1 - p)) / n); // 4 standard deviations
  assert.ok(Math.abs(flips / n - 0.5) < sd(0.5), `flip rate ${flips / n}`);
  assert.ok(Math.abs(jitters / n - 0.8) < sd(0.8), `jitter rate ${jitters / n}`);
  assert.ok(Math.abs(blurs / n - 0.5) < sd(0.5), `blur rate ${blurs / n}`);
  for (const c of offsets) assert.ok(Math.abs(c / n - 1 / 9) < sd(1 / 9), `offset counts ${offsets}`);
  // area fraction ~ U(0.08, 1) except where the clamp to the image cuts the box: mean a little below 0.54
  assert.ok(area / n > 0.45 && area / n < 0.54, `mean crop area ${area / n}`);
});

Deno.test("augment: bad options are refused with a message naming them", () => {
  const bad: [AugmentOptions, RegExp][] = [
    [{ flip: { probability: 1.5 } }, /flip.probability is 1.5/],
    [{ padCrop: { padding: -1 } }, /padCrop.padding is -1/],
    [{ padCrop: { padding: 9, mode: "reflect" } }, /reflect padding 9/],
    [{ blur: { radius: 4 } }, /blur.radius is 4/],
    [{ resizedCrop: { scale: [0.5, 0.2] } }, /resizedCrop.scale/],
    [{ brightnessContrast: { brightness: 2 } }, /brightness is 2/],
    [{ rotate: true } as unknown as AugmentOptions, /unknown option "rotate"/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => resolveAugmentOptions(SHAPE, options), message);
  }
});
