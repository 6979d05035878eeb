/**
 * Matmul: behaviour on both backends, and every WGSL variant against the float64 reference.
 *
 * Tolerances (STYLE.md habit 5): per element `8u (sum_k |a_ik b_kj| + |bias_j|)`,
 * u = 2^-24; exact integer cases with zero tolerance. After an activation the bound
 * is carried through the activation's slope, plus 1e-6 (1 + |f|) for its own rounding.
 *
 * @module
 */
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import { assert, assertClose, assertExact, testValues, U32 } from "./_assert.ts";
import { type GpuTensor, WebGpuBackend } from "../lib/backend/webgpu.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { planMatmul } from "../lib/backend/tensor.ts";
import { type Activation, activationCoefficients, evaluateActivation } from "../lib/activations.ts";
import { matmulReference } from "../lib/reference/matmul.ts";
import type { GpuContext } from "../lib/gpu/device.ts";
import {
  autoMatmulVariant,
  calibrateMatmul,
  encodeMatmul,
  MATMUL_VARIANTS,
  matmulKChunk,
  type MatmulVariant,
} from "../kernels/matmul/matmul.ts";

const eye = (n: number) => Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));

testBothBackends("matmul: ones @ eye == ones exactly", async (backend) => {
  for (const n of [5, 8, 17]) {
    const ones = backend.tensor(new Array(3 * n).fill(1), [3, n]);
    const c = await backend.matmul(ones, backend.tensor(eye(n), [n, n]));
    assert.deepEqual(c.shape, [3, n]);
    assertExact(await backend.read(c), new Array(3 * n).fill(1), `ones @ eye(${n})`);
  }
});

testBothBackends("matmul: small integer matrices exactly, all transposes", async (backend) => {
  // A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]], AB = [[58, 64], [139, 154]]
  const a = [1, 2, 3, 4, 5, 6], aT = [1, 4, 2, 5, 3, 6];
  const b = [7, 8, 9, 10, 11, 12], bT = [7, 9, 11, 8, 10, 12];
  for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
    const ta = backend.tensor(transposeA ? aT : a, transposeA ? [3, 2] : [2, 3]);
    const tb = backend.tensor(transposeB ? bT : b, transposeB ? [2, 3] : [3, 2]);
    const c = await backend.matmul(ta, tb, { transposeA, transposeB });
    assertExact(
      await backend.read(c),
      [58, 64, 139, 154],
      `transposeA=${transposeA} transposeB=${transposeB}`,
    );
  }
});

testBothBackends("matmul: bias and relu exactly, batched with a shared operand", async (backend) => {
  // A [2, 1, 2] batched, B [2, 2] shared: rows [1, -2] and [3, 4] times B = [[1, 0], [0, 1]].
  const a = backend.tensor([1, -2, 3, 4], [2, 1, 2]);
  const b = backend.tensor([1, 0, 0, 1], [2, 2]);
  const bias = backend.tensor([1, 1], [2]);
  const c = await backend.matmul(a, b, { bias, activation: "relu" });
  assert.deepEqual(c.shape, [2, 1, 2]);
  assertExact(await backend.read(c), [2, 0, 4, 5]);
});

testBothBackends("matmul: empty sizes give empty or bias-only results", async (backend) => {
  const c0 = await backend.matmul(backend.zeros([0, 3]), backend.zeros([3, 4]));
  assert.deepEqual(c0.shape, [0, 4]);
  assert.equal((await backend.read(c0)).length, 0);
  const bias = backend.tensor([1, -2, 3], [3]);
  const k0 = await backend.matmul(backend.zeros([2, 0]), backend.zeros([0, 3]), { bias });
  assertExact(await backend.read(k0), [1, -2, 3, 1, -2, 3], "k = 0 with bias");
});

testBothBackends("matmul: bad shapes throw RangeError", async (backend) => {
  const cases: [number[], number[], RegExp][] = [
    [[2, 3], [4, 2], /inner dimensions 3 and 4 differ/],
    [[6], [6, 1], /must be 2-D \[rows, cols\] or 3-D/],
    [[2, 2, 3], [3, 3, 1], /batch counts 2 and 3 differ/],
  ];
  for (const [as, bs, message] of cases) {
    await assert.rejects(() => backend.matmul(backend.zeros(as), backend.zeros(bs)), (e: Error) => {
      return e instanceof RangeError && message.test(e.message);
    });
  }
  const bias = backend.zeros([3]);
  await assert.rejects(
    () => backend.matmul(backend.zeros([2, 2]), backend.zeros([2, 2]), { bias }),
    RangeError,
  );
});

/** One case of a variant against the reference. */
interface Case {
  a: number[];
  b: number[];
  transposeA?: boolean;
  transposeB?: boolean;
  bias?: boolean;
  activation?: Activation;
  scale?: number;
}

let seed = 1;

function bufferOf(backend: WebGpuBackend, data: Float32Array, shape: number[]): GPUBuffer {
  return (backend.tensor(data, shape) as GpuTensor).buffer;
}

/** Runs a case on `variant` and checks it element by element; returns the max difference. */
async function checkCase(gpu: GpuContext, variant: MatmulVariant, cs: Case): Promise<number> {
  const backend: Backend = new WebGpuBackend(gpu);
  const plan = planMatmul(cs.a, cs.b, cs.transposeA, cs.transposeB);
  const size = (s: number[]) => s.reduce((p, v) => p * v, 1);
  const scale = cs.scale ?? 1;
  const a = testValues(size(cs.a), seed++, -scale, scale), b = testValues(size(cs.b), seed++, -scale, scale);
  const bias = cs.bias ? testValues(plan.n, seed++) : undefined;
  const activation = cs.activation === undefined ? undefined : activationCoefficients(cs.activation);
  const options = { transposeA: cs.transposeA ?? false, transposeB: cs.transposeB ?? false };
  const want = matmulReference(a, b, plan, { ...options, bias, activation });
  const pre = matmulReference(a, b, plan, { ...options, bias });
  const magnitude = matmulReference(a.map(Math.abs), b.map(Math.abs), plan, {
    ...options,
    bias: bias?.map(Math.abs),
  });
  const bounds = magnitude.map((s, i) => {
    const e = 8 * U32 * s;
    if (!activation) return e;
    const slope = Math.max(...[-e, 0, e].map((d) => Math.abs(evaluateActivation(activation, pre[i] + d, 1))));
    return 2 * slope * e + 1e-6 * (1 + Math.abs(want[i]));
  });
  const c = await backend.matmul(backend.tensor(a, cs.a), backend.tensor(b, cs.b), {
    ...options,
    bias: bias ? backend.tensor(bias, [plan.n]) : undefined,
    activation: cs.activation,
    variant,
  });
  assert.deepEqual(c.shape, plan.outShape);
  const what = `${variant} A${JSON.stringify(cs.a)}${cs.transposeA ? "^T" : ""} B${JSON.stringify(cs.b)}${
    cs.transposeB ? "^T" : ""
  }`;
  return assertClose(await backend.read(c), want, { bounds }, what);
}

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [7, 7, 7],
  [65, 7, 257],
  [7, 257, 65],
  [257, 65, 7],
  [65, 65, 65],
  [1, 257, 7],
  [257, 1, 1],
  [0, 7, 7],
  [7, 0, 7],
  [7, 7, 0],
  [257, 257, 257],
  // multiples of 4: the blocked kernel's vec4 fast path
  [4, 4, 4],
  [64, 64, 64],
  [68, 36, 260],
  [20, 8, 16],
];

for (const variant of MATMUL_VARIANTS) {
  testGpuOnly(`matmul ${variant}: sizes 0..257, all transposes vs float64 reference`, async (gpu) => {
    let worst = 0;
    for (const [m, n, k] of SIZES) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const a = transposeA ? [k, m] : [m, k], b = transposeB ? [n, k] : [k, n];
          worst = Math.max(worst, await checkCase(gpu, variant, { a, b, transposeA, transposeB }));
        }
      }
    }
    console.log(`matmul ${variant}: max |diff| ${worst.toExponential(2)} over ${SIZES.length * 4} cases`);
  });

  testGpuOnly(`matmul ${variant}: batched, shared and per-batch operands`, async (gpu) => {
    const cases: Case[] = [
      { a: [3, 7, 65], b: [65, 9] },
      { a: [7, 65], b: [3, 65, 9] },
      { a: [3, 65, 7], b: [3, 9, 65], transposeA: true, transposeB: true },
      { a: [2, 16, 32], b: [32, 8], bias: true },
      { a: [5, 1, 1], b: [5, 1, 1] },
    ];
    for (const cs of cases) await checkCase(gpu, variant, cs);
  });

  testGpuOnly(`matmul ${variant}: bias and activation epilogue`, async (gpu) => {
    const activations: Activation[] = ["relu", "tanh", "sigmoid", "silu", {
      hermite: [0.1, 1, 0.5, 0.2, 0.05, 0.01],
    }, {
      relu: 1,
      tanh: -0.5,
      he3: 0.25,
    }];
    for (const activation of activations) {
      for (const transposeB of [false, true]) {
        await checkCase(gpu, variant, {
          a: [65, 33],
          b: transposeB ? [36, 33] : [33, 36],
          transposeB,
          bias: true,
          activation,
        });
        await checkCase(gpu, variant, { a: [7, 64], b: [64, 12], activation, scale: 0.3 });
      }
    }
  });

  testGpuOnly(`matmul ${variant}: K split into chunks past the loop budget (K = 300000)`, async (gpu) => {
    // A row i = i + 1, B column j = j + 1, so C[i][j] = (i + 1)(j + 1) K exactly (integers < 2^24).
    const m = 4, n = 4, k = 300_000;
    const limited = Number.isFinite(gpu.facts.loopLimit);
    if (limited) {
      assert.ok(matmulKChunk(gpu, variant) < k, "an adapter with a loop limit must need several chunks");
    }
    const backend = new WebGpuBackend(gpu);
    const want = Array.from({ length: m * n }, (_, e) => (Math.floor(e / n) + 1) * ((e % n) + 1) * k);
    for (const transposeA of [false, true]) {
      const a = new Float32Array(m * k).map((_, e) => transposeA ? (e % m) + 1 : Math.floor(e / k) + 1);
      const b = new Float32Array(k * n).map((_, e) => (e % n) + 1);
      const c = await backend.matmul(
        backend.tensor(a, transposeA ? [k, m] : [m, k]),
        backend.tensor(b, [k, n]),
        {
          transposeA,
          variant,
        },
      );
      assertExact(await backend.read(c), want, `${variant} K=${k} transposeA=${transposeA}`);
      if (limited && !transposeA) {
        // The trap this guards against: one unsplit dispatch silently stops short.
        const short = backend.zeros([m, n]);
        await encodeMatmul(backend.recorder, {
          a: bufferOf(backend, a, [m, k]),
          b: bufferOf(backend, b, [k, n]),
          c: (short as GpuTensor).buffer,
          plan: planMatmul([m, k], [k, n]),
          transposeA: false,
          transposeB: false,
          variant,
          kChunk: k,
        });
        assert.ok(
          (await backend.read(short))[0] < want[0],
          `${variant}: an unsplit K = ${k} should stop short`,
        );
      }
    }
  });

  testGpuOnly(`matmul ${variant}: forced small K chunks accumulate, epilogue once`, async (gpu) => {
    const backend = new WebGpuBackend(gpu);
    const [m, n, k] = [9, 12, 40];
    const a = testValues(m * k, 91), b = testValues(k * n, 92), bias = testValues(n, 93);
    const activation = activationCoefficients("tanh");
    const plan = planMatmul([m, k], [k, n]);
    const want = matmulReference(a, b, plan, { transposeA: false, transposeB: false, bias, activation });
    const ta = backend.tensor(a, [m, k]), tb = backend.tensor(b, [k, n]), tbias = backend.tensor(bias, [n]);
    for (const kChunk of [4, 7, 16]) {
      const c = backend.zeros([m, n]);
      await encodeMatmul(backend.recorder, {
        a: (ta as GpuTensor).buffer,
        b: (tb as GpuTensor).buffer,
        c: (c as GpuTensor).buffer,
        bias: (tbias as GpuTensor).buffer,
        activation,
        plan,
        transposeA: false,
        transposeB: false,
        variant,
        kChunk,
      });
      assertClose(await backend.read(c), want, { atol: 1e-5 }, `${variant} kChunk=${kChunk}`);
    }
  });
}

testGpuOnly("matmul auto: heuristic default, then the calibrated winner", async (gpu) => {
  assert.equal(autoMatmulVariant(gpu), gpu.facts.isCpuAdapter ? "blocked" : "tiled");
  const calibration = await calibrateMatmul(gpu, { n: 128, repeats: 1 });
  assert.ok(MATMUL_VARIANTS.includes(calibration.winner));
  for (const v of MATMUL_VARIANTS) assert.ok(calibration.gflops[v] > 0, `${v} timed`);
  assert.equal(autoMatmulVariant(gpu), calibration.winner);
  assert.equal(await calibrateMatmul(gpu), calibration, "cached per adapter");
  await checkCase(gpu, autoMatmulVariant(gpu), { a: [7, 65], b: [65, 9] });
});
