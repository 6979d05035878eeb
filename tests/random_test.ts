import { assert, assertClose, assertExact, toF32 } from "./_assert.ts";
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import type { Backend, Distribution, RandomOptions } from "../lib/backend/backend.ts";
import { mulhi32, philox4x32_10, PhiloxStream, randomReference } from "../lib/rng/philox.ts";
import { PHILOX_WGSL } from "../kernels/random/random.ts";
import { getPipeline } from "../lib/gpu/pipelines.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";
import { createBuffer, readBuffer, uploadBuffer } from "../lib/gpu/buffers.ts";

// Random123 tests/kat_vectors, the "philox4x32 10" lines verbatim: counter (ctr.v[0], .., ctr.v[3]),
// key (key.v[0], key.v[1]), expected output (v[0], .., v[3]).
const KNOWN_ANSWERS = [
  "00000000 00000000 00000000 00000000 00000000 00000000   6627e8d5 e169c58d bc57ac4c 9b00dbd8",
  "ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff   408f276d 41c83b0e a20bc7c6 6d5451fd",
  "243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0   d16cfe09 94fdcceb 5001e420 24126ea1",
].map((line) => {
  const w = line.split(/ +/).map((hex) => parseInt(hex, 16));
  return { ctr: w.slice(0, 4), key: w.slice(4, 6), want: w.slice(6) };
});

/**
 * Tolerance of GPU normals against the float64 reference: float32 sqrt/cos/sin of |z| <= 5.77 (the log
 * is a series near 1). Measured max 5.5e-7 over 1M normals on lavapipe; 1e-5 leaves room for GPUs'
 * faster sin/cos (about 1e-6 absolute on [-pi, pi]).
 */
const NORMAL_ATOL = 1e-5;

/** Deterministic uint32 test words (xorshift32). */
function testWords(n: number, seed: number): Uint32Array {
  let s = seed >>> 0 || 1;
  return Uint32Array.from({ length: n }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>>= 0;
  });
}

async function draw(backend: Backend, shape: number[], options: RandomOptions): Promise<Float64Array> {
  const t = await backend.random(shape, options);
  const values = Float64Array.from(await backend.read(t));
  backend.dispose(t);
  return values;
}

function moments(x: ArrayLike<number>): { mean: number; variance: number; m3: number; m4: number } {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i] / x.length;
  let variance = 0, m3 = 0, m4 = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - mean;
    variance += d * d / x.length;
    m3 += d ** 3 / x.length;
    m4 += d ** 4 / x.length;
  }
  return { mean, variance, m3, m4 };
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = moments(a), mb = moments(b);
  let c = 0;
  for (let i = 0; i < a.length; i++) c += (a[i] - ma.mean) * (b[i] - mb.mean) / a.length;
  return c / Math.sqrt(ma.variance * mb.variance);
}

/** Asserts |got - want| <= sigmas * standardError. */
function assertWithin(got: number, want: number, standardError: number, what: string, sigmas = 5): void {
  assert.ok(
    Math.abs(got - want) <= sigmas * standardError,
    `${what} = ${got}, expected ${want} +- ${sigmas} * ${standardError}`,
  );
}

Deno.test("philox4x32_10 gives Random123's known answers", () => {
  for (const { ctr, key, want } of KNOWN_ANSWERS) {
    assertExact(philox4x32_10(key[0], key[1], ctr[0], ctr[1], ctr[2], ctr[3]), want, "philox words");
  }
});

Deno.test("mulhi32 equals the BigInt product's high word", () => {
  const words = [...testWords(2000, 9), 0, 1, 0xffff, 0x10000, 0xffffffff, 0x80000000];
  for (let i = 0; i + 1 < words.length; i++) {
    const want = Number((BigInt(words[i]) * BigInt(words[i + 1])) >> 32n);
    assert.equal(mulhi32(words[i], words[i + 1]), want, `mulhi32(${words[i]}, ${words[i + 1]})`);
  }
});

// The WGSL library on arbitrary counters and keys, which the random kernel (c3 = 0) cannot reach.
const KAT_WGSL = `
@group(0) @binding(0) var<storage, read> inputs: array<vec4<u32>>; // counter, then key in .xy
@group(0) @binding(1) var<storage, read_write> outputs: array<vec4<u32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= arrayLength(&outputs)) {
    return;
  }
  outputs[gid.x] = philox4x32_10(inputs[2u * gid.x], inputs[2u * gid.x + 1u].xy);
}
`;

testGpuOnly("WGSL philox4x32_10 equals TypeScript on known answers and 1000 random inputs", async (gpu) => {
  const cases = KNOWN_ANSWERS.map(({ ctr, key }) => [...ctr, ...key, 0, 0]);
  const words = testWords(1000 * 6, 3);
  for (let i = 0; i < 1000; i++) cases.push([...words.subarray(6 * i, 6 * i + 6), 0, 0]);
  const inputs = uploadBuffer(gpu, Uint32Array.from(cases.flat()), "kat inputs");
  const outputs = createBuffer(gpu, cases.length * 16, "kat outputs");
  const kernel = {
    label: "philox_kat",
    parts: [PHILOX_WGSL, { file: "tests/random_test.ts", code: KAT_WGSL }],
  };
  const rec = new CommandRecorder(gpu);
  rec.dispatch({
    pipeline: await getPipeline(gpu, kernel),
    label: kernel.label,
    bindings: [inputs, outputs],
    workgroups: [Math.ceil(cases.length / 64)],
  });
  rec.flush();
  const got = new Uint32Array(await readBuffer(gpu, outputs));
  const want = cases.flatMap((c) => philox4x32_10(c[4], c[5], c[0], c[1], c[2], c[3]));
  assertExact(got, want, "GPU philox words");
  assertExact(got.subarray(0, 12), KNOWN_ANSWERS.flatMap(({ want }) => want), "GPU known answers");
  inputs.destroy();
  outputs.destroy();
});

testBothBackends("random u32 with seed 0 at the origin is Random123's zero-key answer", async (backend) => {
  assertExact(await draw(backend, [4], { seed: 0, distribution: "u32" }), KNOWN_ANSWERS[0].want, "words");
});

const EXACT_DISTRIBUTIONS: Distribution[] = ["u32", "uniform", "rademacher", {
  twoPoint: { low: -0.1, high: 2.5, probabilityHigh: 0.3 },
}];

testBothBackends("random equals randomReference: bit for bit, normals within 1e-5", async (backend) => {
  let maxNormalDiff = 0;
  for (const cols of [0, 1, 7, 65, 257]) {
    for (const shape of [[cols], [3, cols], [5, cols]]) {
      const rows = shape.length === 2 ? shape[0] : 1;
      for (const [stream, step, index] of [[7, 3, 1000], [0xffffffff, 0xfffffffe, 0xffffffff - rows + 1]]) {
        const base = { seed: 123456789, stream, step, index };
        for (const distribution of EXACT_DISTRIBUTIONS) {
          const got = await draw(backend, shape, { ...base, distribution });
          const want = randomReference(rows, cols, { ...base, distribution });
          // The GPU rounds two-point low/high to float32; uniforms and signs are exact in float32.
          const exact = typeof distribution === "object" && backend.name === "webgpu" ? toF32(want) : want;
          assertExact(got, exact, `${JSON.stringify(distribution)} ${JSON.stringify(shape)}`);
        }
        const got = await draw(backend, shape, { ...base, distribution: "normal" });
        const want = randomReference(rows, cols, { ...base, distribution: "normal" });
        maxNormalDiff = Math.max(maxNormalDiff, assertClose(got, want, { atol: NORMAL_ATOL }, "normals"));
      }
    }
  }
  console.log(`max |normal - reference| = ${maxNormalDiff.toExponential(2)}`);
});

testBothBackends("normal at u1 = 1 is 0 and at u1 = 2^-24 has the largest radius", async (backend) => {
  // Seed 0, row 1205178: lane 0 is ffffff53 (u1 = 1); row 18189822: lane 2 is 000000ae (u1 = 2^-24).
  const origin = await draw(backend, [2], { seed: 0, index: 1205178 });
  assertExact(origin, [0, 0], "z at radius 0");
  const far = await draw(backend, [4], { seed: 0, index: 18189822 });
  const want = randomReference(1, 4, { seed: 0, index: 18189822 });
  assertClose(far, want, { atol: NORMAL_ATOL }, "z at radius sqrt(48 ln 2)");
  assertClose([Math.hypot(far[2], far[3])], [Math.sqrt(48 * Math.LN2)], { atol: NORMAL_ATOL }, "radius");
});

testBothBackends("normals match the reference within 1e-5 over 2^20 samples", async (backend) => {
  const options = { seed: 31, stream: 4, step: 5, distribution: "normal" as const };
  const got = await draw(backend, [256, 4096], options);
  const want = randomReference(256, 4096, options);
  const diff = assertClose(got, want, { atol: NORMAL_ATOL }, "normals");
  // Small radii come from u1 near 1, where a log with only an absolute error bound fails: pairs with
  // radius < 0.05 (u1 > 0.9988, ~0.1% of pairs) must keep their radius to 1e-5 relative.
  let small = 0, worst = 0;
  for (let i = 0; i < want.length; i += 2) {
    const radius = Math.hypot(want[i], want[i + 1]);
    if (radius >= 0.05) continue;
    small += 1;
    worst = Math.max(worst, Math.abs(Math.hypot(got[i], got[i + 1]) - radius) / radius);
  }
  assert.ok(small > 100 && worst < 1e-5, `${small} small radii, worst relative error ${worst}`);
  console.log(
    `max |normal - reference| = ${diff.toExponential(2)}, small radii relative ${worst.toExponential(2)}`,
  );
});

testBothBackends("random is reproducible and changes with every counter and key word", async (backend) => {
  const base: RandomOptions = { seed: 5, stream: 1, step: 2, index: 3, distribution: "u32" };
  const first = await draw(backend, [2, 33], base);
  assertExact(await draw(backend, [2, 33], base), first, "same options");
  for (const change of [{ seed: 6 }, { stream: 2 }, { step: 3 }, { index: 4 }]) {
    const other = await draw(backend, [2, 33], { ...base, ...change });
    const same = other.filter((w, i) => w === first[i]).length;
    assert.ok(same <= 1, `${JSON.stringify(change)}: ${same} of 66 words unchanged`);
  }
  // Row r of a batch is row 0 of a draw starting at index + r: batching does not change results.
  assertExact(await draw(backend, [33], { ...base, index: 4 }), first.subarray(33), "row 1 alone");
});

const N = 1 << 18; // samples per statistic; standard errors below are for this n

testBothBackends("uniform: range [0, 1), mean, variance and deciles", async (backend) => {
  const u = await draw(backend, [64, N / 64], { seed: 11, stream: 2, distribution: "uniform" });
  assert.ok(u.every((x) => x >= 0 && x < 1), "uniforms in [0, 1)");
  const { mean, variance } = moments(u);
  assertWithin(mean, 0.5, Math.sqrt(1 / 12 / N), "mean");
  assertWithin(variance, 1 / 12, Math.sqrt(1 / 180 / N), "variance"); // Var (U - 1/2)^2 = 1/80 - 1/144
  const deciles = new Array(10).fill(0);
  for (const x of u) deciles[Math.floor(x * 10)]++;
  deciles.forEach((c, k) => assertWithin(c, N / 10, Math.sqrt(N * 0.09), `decile ${k} count`));
});

testBothBackends("normal: mean, variance, skewness, kurtosis and P(|z| < 1)", async (backend) => {
  const z = await draw(backend, [N / 512, 512], { seed: 12, step: 9, distribution: "normal" });
  const { mean, variance, m3, m4 } = moments(z);
  assertWithin(mean, 0, Math.sqrt(1 / N), "mean");
  assertWithin(variance, 1, Math.sqrt(2 / N), "variance");
  assertWithin(m3, 0, Math.sqrt(15 / N), "third moment");
  assertWithin(m4, 3, Math.sqrt(96 / N), "fourth moment"); // Var z^4 = 105 - 9
  const inside = z.filter((x) => Math.abs(x) < 1).length / N;
  assertWithin(inside, 0.682689492, Math.sqrt(0.6827 * 0.3173 / N), "P(|z| < 1)");
  assert.ok(z.every((x) => Math.abs(x) <= 5.8), "|z| <= sqrt(-2 ln 2^-24) = 5.77");
});

testBothBackends("rademacher and twoPoint: values and frequencies", async (backend) => {
  const s = await draw(backend, [N], { seed: 13, distribution: "rademacher" });
  assert.ok(s.every((x) => x === 1 || x === -1), "signs are +-1");
  assertWithin(moments(s).mean, 0, Math.sqrt(1 / N), "sign mean");
  const p = 0.3,
    t = await draw(backend, [N], {
      seed: 13,
      distribution: { twoPoint: { low: -2, high: 5, probabilityHigh: p } },
    });
  assert.ok(t.every((x) => x === -2 || x === 5), "two-point values are low or high");
  assertWithin(t.filter((x) => x === 5).length / N, p, Math.sqrt(p * (1 - p) / N), "P(high)");
  for (const [probabilityHigh, only] of [[0, -2], [1, 5]]) {
    const all = await draw(backend, [999], {
      seed: 1,
      distribution: { twoPoint: { low: -2, high: 5, probabilityHigh } },
    });
    assert.ok(all.every((x) => x === only), `probabilityHigh ${probabilityHigh} gives only ${only}`);
  }
});

testBothBackends(
  "normals of different streams, seeds, indices, steps and lanes are uncorrelated",
  async (backend) => {
    const base = { seed: 21, stream: 0, step: 0, index: 0, distribution: "normal" as const };
    const x = await draw(backend, [N], base);
    const bound = 5 / Math.sqrt(N); // 5 standard errors of a correlation of independent samples
    for (const change of [{ stream: 1 }, { seed: 22 }, { index: 1 }, { step: 1 }]) {
      const r = correlation(x, await draw(backend, [N], { ...base, ...change }));
      assert.ok(Math.abs(r) < bound, `correlation with ${JSON.stringify(change)} is ${r}, bound ${bound}`);
    }
    const even = x.filter((_, i) => i % 2 === 0), odd = x.filter((_, i) => i % 2 === 1);
    const r = correlation(even, odd); // the two outputs of one Box-Muller pair
    assert.ok(Math.abs(r) < 5 / Math.sqrt(N / 2), `Box-Muller pair correlation ${r}`);
  },
);

testBothBackends("random rejects bad options with TypeError or RangeError", async (backend) => {
  const bad: [number[], unknown, ErrorConstructor][] = [
    [[4], { seed: -1 }, RangeError],
    [[4], { seed: 2 ** 32 }, RangeError],
    [[4], { seed: 1, step: 1.5 }, RangeError],
    [[4], { seed: 1, distribution: "cauchy" }, TypeError],
    [[4], { seed: 1, distribution: { twoPoint: { low: 0, high: 1, probabilityHigh: 1.5 } } }, RangeError],
    [[2, 4], { seed: 1, index: 0xffffffff }, RangeError],
    [[2, 2, 2], { seed: 1 }, RangeError],
    [[4], undefined, TypeError],
  ];
  for (const [shape, options, error] of bad) {
    await assert.rejects(
      async () => await backend.random(shape, options as RandomOptions),
      error,
      JSON.stringify(options),
    );
  }
});

Deno.test("PhiloxStream reads the same stream as randomReference", () => {
  const rng = new PhiloxStream(77, 3);
  const options = { seed: 77, stream: 3, step: 4, index: 10 };
  const u = randomReference(2, 9, { ...options, distribution: "u32" });
  const z = randomReference(2, 9, { ...options, distribution: "normal" });
  for (let r = 0; r < 2; r++) {
    for (let e = 0; e < 9; e++) {
      assert.equal(rng.u32(10 + r, 4, e), u[r * 9 + e]);
      assert.equal(rng.normal(10 + r, 4, e), z[r * 9 + e]);
    }
  }
  assert.throws(() => new PhiloxStream(-1), RangeError);
});
