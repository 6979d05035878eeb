/**
 * The BYOL scripts at tiny scale and the host augmentation: the scripts run, export encoder features and
 * projections before/after as .npy with labels, probe them and report finite numbers; the GPU augmentation
 * path (lib/lpl/augment_views.ts through the Augmenter hook) gives the same views on both backends; the host
 * seed augmentation is deterministic, stays in [0, 1] and reduces to a flip or the identity when its draws
 * are switched off.
 */
import { assert, assertClose, testValues } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { run as runSeedVariant, testConfig as seedConfig } from "../scripts/byol_seed_variant.ts";
import { run as runCanonical, testConfig as canonicalConfig } from "../scripts/byol_canonical.ts";
import { importActivations } from "../lib/probes/activation_export.ts";
import { validateVegaLite } from "../lib/plot/figure.ts";
import { augmentImage, SEED_AUGMENTATION, shapesViewSource } from "../lib/byol/mod.ts";
import { augmentBatch, SEED_BYOL_AUGMENT } from "../lib/lpl/augment_views.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";

for (
  const [name, run, config] of [["seed variant", runSeedVariant, seedConfig], [
    "canonical",
    runCanonical,
    canonicalConfig,
  ]] as const
) {
  Deno.test(`BYOL ${name} script (shapes, tiny, reference): exports before/after with labels and probes them`, async () => {
    const dir = await Deno.makeTempDir();
    const r = await run({ ...config, backend: "reference", exportDir: dir });
    const s = r.summary as {
      firstLoss: number;
      lastLoss: number;
      pixelReadoutTestAccuracy: number;
      encoder: { dims: number; after: { probeTestAccuracy: number; participationRatio: number } };
      projection: { beforeAfterCosine: number };
    };
    assert.ok(Number.isFinite(s.firstLoss) && Number.isFinite(s.lastLoss));
    assert.ok(s.pixelReadoutTestAccuracy > 0.4, `pixel readout ${s.pixelReadoutTestAccuracy}`);
    assert.ok(s.encoder.after.probeTestAccuracy >= 0 && s.encoder.after.probeTestAccuracy <= 1);
    assert.ok(s.encoder.after.participationRatio >= 1 && Number.isFinite(s.projection.beforeAfterCosine));
    for (const part of ["before_encoder", "after_encoder", "after_projection"]) {
      const a = await importActivations(`${dir}/shapes`, part);
      assert.deepEqual([a.rows, a.dims], [config.evalRows, part.endsWith("encoder") ? 8 : config.projection]);
      assert.equal(a.labels.length, config.evalRows);
    }
    assert.deepEqual(await validateVegaLite(r.spec), []);
    await Deno.remove(dir, { recursive: true });
  });
}

testBothBackends(
  "BYOL views through the GPU augmentation hook match the float64 reference",
  async (backend) => {
    const augment =
      (seed: number) =>
      (b: typeof backend, images: Parameters<typeof augmentBatch>[1], step: number, view: 0 | 1) =>
        augmentBatch(b, images, SEED_BYOL_AUGMENT, seed, step, { view });
    const reference = new ReferenceBackend();
    const want = await shapesViewSource({ size: 16, seed: 5, augment: augment(5) }).views(reference, 3, 4);
    const got = await shapesViewSource({ size: 16, seed: 5, augment: augment(5) }).views(backend, 3, 4);
    // Bilinear-free ops (crop, flip, affine photometric): float32 rounding of a few operations.
    assertClose(await backend.read(got.v1), await reference.read(want.v1), { atol: 1e-5 }, "view 1");
    assertClose(await backend.read(got.v2), await reference.read(want.v2), { atol: 1e-5 }, "view 2");
    const a = await reference.read(want.v1), b = await reference.read(want.v2);
    assert.ok(a.some((v, i) => Math.abs(v - b[i]) > 1e-3), "the two views differ");
  },
);

Deno.test("host seed augmentation: deterministic, in [0, 1], identity and flip when the draws are off", () => {
  const h = 6, w = 5, image = testValues(h * w, 3, 0, 1);
  const a = augmentImage(image, h, w, 7, [1, 2, 0]), b = augmentImage(image, h, w, 7, [1, 2, 0]);
  assert.deepEqual(Array.from(a), Array.from(b));
  assert.ok(a.every((v) => v >= 0 && v <= 1));
  assert.notDeepEqual(Array.from(a), Array.from(augmentImage(image, h, w, 7, [1, 2, 1])));
  const off = { pad: 0, jitter: 0, flip: 0 };
  assertClose(augmentImage(image, h, w, 7, [1, 2, 0], off), image, { atol: 1e-15 }, "identity");
  const flipped = augmentImage(image, h, w, 7, [1, 2, 0], { ...off, flip: 1 });
  const want = image.map((_, p) => image[Math.floor(p / w) * w + (w - 1 - (p % w))]);
  assertClose(flipped, want, { atol: 1e-15 }, "flip");
  assert.equal(SEED_AUGMENTATION.pad, 4);
});
