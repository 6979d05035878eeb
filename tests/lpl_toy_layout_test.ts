/**
 * The toy-neuron kernel's settings writer (values by field; tests/struct_layout_test.ts holds the layouts to the
 * WGSL structs), the metrics, and argument checks.
 */
import { assert, assertClose } from "./_assert.ts";
import { SETTING_BYTES, SETTING_LAYOUT, toyNeuronSettingsBytes } from "../kernels/lpl/toy_neuron.ts";
import { toySetting, trainToyNeurons } from "../lib/lpl/toy_neuron.ts";
import { toyValidationNormals, xAlignment, xSelectivity } from "../lib/lpl/toy_metrics.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { twoPointThreshold } from "../lib/rng/philox.ts";

Deno.test("lpl toy layout: the settings writer puts each value in its named field", () => {
  const bytes = new DataView(
    toyNeuronSettingsBytes([toySetting("lpl", 2), toySetting("oja", 3, { flipProbability: 0.25 })]),
  );
  assert.equal(bytes.byteLength, 2 * SETTING_BYTES);
  const at = (i: number, field: Parameters<typeof SETTING_LAYOUT.offsetOf>[0]) =>
    SETTING_BYTES * i + SETTING_LAYOUT.offsetOf(field);
  assert.equal(bytes.getFloat32(at(0, "sigma_y"), true), 2);
  assert.equal(bytes.getFloat32(at(0, "learning_rate"), true), Math.fround(0.005));
  assert.equal(bytes.getUint32(at(0, "hebb_kind"), true), 1);
  assert.equal(bytes.getUint32(at(1, "oja"), true), 1);
  assert.equal(bytes.getUint32(at(1, "flip_threshold"), true), twoPointThreshold(0.25));
});

Deno.test("lpl toy metrics: selectivity ceiling ~0.73 at w = (1, 0), 0 at w = (0, 1); alignment", () => {
  const z = toyValidationNormals(0, 0);
  const best = xSelectivity([1, 0], z, 3);
  assert.ok(best > 0.71 && best < 0.75, `selectivity at w = (1, 0) is ${best}, spec Errata 3 says ~0.73`);
  assert.ok(xSelectivity([0, 1], z, 3) < 0.02);
  assert.ok(Number.isNaN(xSelectivity([NaN, 1], z, 3)));
  assertClose([xAlignment([3, 4]), xAlignment([-1, 0])], [0.6, 1], { atol: 1e-15 });
});

Deno.test("lpl toy neuron: invalid sweeps are refused with the field named", async () => {
  const good = {
    settings: [toySetting("lpl", 1)],
    repetitions: 1,
    batch: 8,
    steps: 2,
    recordEvery: 1,
    seed: 0,
  };
  const backend = new ReferenceBackend();
  await assert.rejects(() => trainToyNeurons(backend, { ...good, batch: 1 }), /batch is 1/);
  await assert.rejects(() => trainToyNeurons(backend, { ...good, settings: [] }), /settings is empty/);
  await assert.rejects(
    () => trainToyNeurons(backend, { ...good, settings: [toySetting("lpl", 1, { flipProbability: 2 })] }),
    /flipProbability is 2/,
  );
});

Deno.test("lpl toy neuron: fewer steps than recordEvery gives no activity records", async () => {
  const shape = {
    settings: [toySetting("lpl", 1)],
    repetitions: 2,
    batch: 8,
    steps: 3,
    recordEvery: 5,
    seed: 0,
  };
  const result = await trainToyNeurons(new ReferenceBackend(), shape);
  assert.equal(result.records, 0);
  assert.equal(result.activity.length, 0);
  assert.equal(result.weights.length, 4);
});
