// The measurement cadence scheduler (specs/seed003 EOSS-14): periods that grow at given steps, the
// original's defaults, rare-measure spacing, and validation.
import { assert } from "./_assert.ts";
import {
  cadenceDue,
  cadencePeriod,
  cadenceSteps,
  checkCadence,
  DEFAULT_CADENCES,
  GNI_CADENCE,
  measurementsDue,
  traceCadence,
} from "../lib/eoss/cadence.ts";

Deno.test("cadence: the original's batch-sharpness period doubles after 10k, 50k and 100k steps", () => {
  const bs = DEFAULT_CADENCES.batchSharpness!;
  assert.deepEqual([0, 9999, 10000, 49999, 50000, 100000].map((s) => cadencePeriod(bs, s)), [
    128,
    128,
    256,
    256,
    512,
    1024,
  ]);
  // Due at multiples of the period in force at that step: 9984 = 78 * 128 is due, 10112 (= 79 * 128) is not.
  assert.equal(cadenceDue(bs, 9984), true);
  assert.equal(cadenceDue(bs, 10112), false);
  assert.equal(cadenceDue(bs, 10240), true);
  const lambda = DEFAULT_CADENCES.lambdaMax!;
  assert.deepEqual([0, 10000, 30000].map((s) => cadencePeriod(lambda, s)), [256, 512, 1024]);
  assert.deepEqual(cadenceSteps(DEFAULT_CADENCES.stepSharpness!, 50), [0, 16, 32, 48]);
  assert.deepEqual([0, 10000, 50000].map((s) => cadencePeriod(GNI_CADENCE, s)), [2500, 10000, 20000]);
  assert.equal(traceCadence(32).every, 256);
  assert.equal(traceCadence(33).every, 64);
});

Deno.test("cadence: the steps of a growing cadence, counted", () => {
  const c = { every: 4, growth: [{ after: 20, factor: 2 }, { after: 40, factor: 3 }] };
  // 0..19 every 4 (5 steps), 20..39 every 8 (24, 32), 40..79 every 24 (48, 72).
  assert.deepEqual(cadenceSteps(c, 80), [0, 4, 8, 12, 16, 24, 32, 48, 72]);
  assert.deepEqual(cadenceSteps(c, 80, 2), [0, 8, 16, 32, 48]);
});

Deno.test("cadence: measurementsDue lists the due measurements; rareMeasure spaces out only the heavy ones", () => {
  const cadences = {
    fullLoss: { every: 4 },
    lambdaMax: { every: 4 },
    batchSharpness: { every: 8 },
    stepSharpness: { every: 2 },
    gni: null,
    trace: null,
    secondMoment: null,
  };
  assert.deepEqual(measurementsDue(cadences, 0), [
    "fullLoss",
    "lambdaMax",
    "batchSharpness",
    "stepSharpness",
  ]);
  assert.deepEqual(measurementsDue(cadences, 4), ["fullLoss", "lambdaMax", "stepSharpness"]);
  assert.deepEqual(measurementsDue(cadences, 3), []);
  assert.deepEqual(measurementsDue(cadences, 4, 4), ["fullLoss", "stepSharpness"]);
  assert.deepEqual(measurementsDue(cadences, 16, 4), ["fullLoss", "lambdaMax", "stepSharpness"]);
});

Deno.test("cadence: bad periods and factors are refused by name", () => {
  assert.throws(() => checkCadence({ every: 0 }, "cadences.lambdaMax"), /cadences.lambdaMax: every is 0/);
  assert.throws(() => checkCadence({ every: 4, growth: [{ after: -1, factor: 2 }] }), RangeError);
  assert.throws(() => checkCadence({ every: 4, growth: [{ after: 10, factor: 1.5 }] }), RangeError);
});
