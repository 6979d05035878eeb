import { assert, assertClose } from "./_assert.ts";
import { symmetricEigen } from "../lib/spectral/jacobi_eigen.ts";
import { marchenkoPasturDensity, marchenkoPasturEdges } from "../lib/spectral/marchenko_pastur.ts";

function randomOrthogonal(n: number, seed: number): Float64Array {
  // Gram-Schmidt on a deterministic pseudo-random matrix.
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
  const q = Float64Array.from({ length: n * n }, rand);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i * n + j] * q[i * n + k];
      for (let i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + k];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * n + j] ** 2;
    for (let i = 0; i < n; i++) q[i * n + j] /= Math.sqrt(norm);
  }
  return q;
}

function withSpectrum(values: number[], seed: number): Float64Array {
  const n = values.length, q = randomOrthogonal(n, seed), a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += q[i * n + k] * values[k] * q[j * n + k];
      a[i * n + j] = sum;
    }
  }
  return a;
}

Deno.test("symmetricEigen recovers a known spectrum, including a degenerate pair", () => {
  const values = [-3, 0.5, 0.5, 2, 7, 1e-3, 4, 4];
  const { values: got, vectors } = symmetricEigen(withSpectrum(values, 7), values.length);
  const want = [...values].sort((a, b) => a - b);
  const maxDiff = assertClose(got, want, { atol: 1e-12 }, "eigenvalues");
  console.log(`max eigenvalue error ${maxDiff.toExponential(2)}`);
  // Eigenvectors are orthonormal.
  const n = values.length;
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += vectors[i * n + a] * vectors[i * n + b];
      assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-12, `V^T V (${a}, ${b}) = ${dot}`);
    }
  }
});

Deno.test("symmetricEigen: trivial sizes and bad input", () => {
  assert.deepEqual([...symmetricEigen([], 0).values], []);
  assert.deepEqual([...symmetricEigen([5], 1).values], [5]);
  assertClose(symmetricEigen([2, 1, 1, 2], 2).values, [1, 3], { atol: 1e-15 });
  assert.throws(() => symmetricEigen([1, 2, 3], 2), RangeError);
  assert.throws(() => symmetricEigen([1, NaN, NaN, 1], 2), TypeError);
});

Deno.test("the Marchenko-Pastur density integrates to 1 and has mean sigma^2", () => {
  for (const q of [0.1, 0.25, 1]) {
    const [lo, hi] = marchenkoPasturEdges(q, 2);
    // Substitution x = mid + half cos(theta) removes the square-root edges; midpoint rule in theta.
    const steps = 20000, mid = (lo + hi) / 2, half = (hi - lo) / 2;
    let mass = 0, mean = 0;
    for (let i = 0; i < steps; i++) {
      const theta = Math.PI * (i + 0.5) / steps, x = mid + half * Math.cos(theta);
      const w = marchenkoPasturDensity(x, q, 2) * half * Math.sin(theta) * Math.PI / steps;
      mass += w;
      mean += w * x;
    }
    assert.ok(Math.abs(mass - 1) < 1e-6, `q=${q}: mass ${mass}`);
    assert.ok(Math.abs(mean - 2) < 1e-5, `q=${q}: mean ${mean}`);
  }
  assert.throws(() => marchenkoPasturDensity(1, 1.5), RangeError);
});
