/**
 * The Rosenbrock integrator (lib/ode/) against problems with known solutions: exponential decay, a
 * stiff linear system in closed form, the non-autonomous Prothero-Robinson problem, Robertson's
 * chemical kinetics against published reference values and a tight-tolerance run, and the order of
 * accuracy of RODAS4 (4) and RODAS3 (3) from fixed-step errors.
 */
import { assert, assertClose, testValues } from "./_assert.ts";
import { solveOde } from "../lib/ode/rosenbrock.ts";
import { luFactor, luSolve } from "../lib/ode/lu.ts";
import { finiteDifferenceJacobian } from "../lib/ode/finite_difference.ts";

const METHODS = ["rodas4", "rodas3"] as const;

Deno.test("LU: solves a 7 x 7 system built from a known x, rejects a singular matrix", () => {
  const n = 7, a = testValues(n * n, 3);
  for (let i = 0; i < n; i++) a[i * n + i] += 0.5; // keep it well conditioned
  const x = testValues(n, 4);
  const b = Float64Array.from({ length: n }, (_, i) => x.reduce((s, v, j) => s + a[i * n + j] * v, 0));
  const diff = assertClose(luSolve(luFactor(a, n), b), x, { atol: 1e-12 }, "x");
  console.log(`LU 7x7 max diff ${diff.toExponential(2)}`);
  assert.deepEqual(Array.from(luSolve(luFactor([0, 2, 3, 0], 2), [4, 6])), [2, 2]); // needs a pivot swap
  assert.throws(() => luFactor([1, 2, 2, 4], 2), /singular/);
  assert.throws(() => luFactor([1, 2, 3], 2), RangeError);
});

Deno.test("finite-difference Jacobian of a quadratic right-hand side is exact to roundoff", () => {
  const f = (_t: number, y: Float64Array) => Float64Array.from([y[0] * y[1], y[1] * y[1] - 3 * y[0]]);
  const y = Float64Array.from([0.3, -2]);
  assertClose(finiteDifferenceJacobian(f, 0, y), [-2, 0.3, -3, -4], { atol: 1e-9 }, "J");
});

for (const method of METHODS) {
  Deno.test(`${method}: exponential decay y' = -2 y matches exp(-2t) within the tolerance`, () => {
    const times = [0, 0.1, 1, 3, 5];
    const sol = solveOde((_t, y) => [-2 * y[0]], times, [1], { method, rtol: 1e-8, atol: 1e-14 });
    const got = sol.y.map((y) => y[0]), want = times.map((t) => Math.exp(-2 * t));
    const diff = assertClose(got, want, { rtol: 1e-6 }, "y");
    console.log(`${method} decay: max diff ${diff.toExponential(2)}, ${sol.stats.accepted} steps`);
  });

  Deno.test(`${method}: stiff linear system (eigenvalues -1, -1e4) matches its closed form in few steps`, () => {
    // A = S diag(-1, -1e4) S^-1 with S = [[1, 1], [1, -1]]; y(t) = S diag(e^-t, e^-1e4t) S^-1 y0.
    const l1 = -1, l2 = -1e4;
    const A = [(l1 + l2) / 2, (l1 - l2) / 2, (l1 - l2) / 2, (l1 + l2) / 2];
    const y0 = [2, 0.5];
    const exact = (t: number) => {
      const c1 = (y0[0] + y0[1]) / 2 * Math.exp(l1 * t), c2 = (y0[0] - y0[1]) / 2 * Math.exp(l2 * t);
      return [c1 + c2, c1 - c2];
    };
    const times = [0, 1e-4, 1e-3, 0.1, 1, 10];
    const sol = solveOde((_t, y) => [A[0] * y[0] + A[1] * y[1], A[2] * y[0] + A[3] * y[1]], times, y0, {
      method,
      rtol: 1e-6,
      atol: 1e-10,
      jacobian: () => A,
      autonomous: true,
    });
    const diff = assertClose(
      sol.y.flatMap((y) => [...y]),
      times.flatMap(exact),
      { atol: 1e-9, rtol: 2e-5 },
      "y",
    );
    // An explicit method would need h < ~3e-4 for stability, i.e. > 30000 steps to t = 10.
    assert.ok(sol.stats.accepted < 1000, `${sol.stats.accepted} steps`);
    console.log(`${method} stiff linear: max diff ${diff.toExponential(2)}, ${sol.stats.accepted} steps`);
  });

  Deno.test(`${method}: Prothero-Robinson y' = -1e6 (y - sin t) + cos t stays on sin t (df/dt by differences)`, () => {
    const times = [0, 0.5, 1, 2, 3];
    const sol = solveOde((t, y) => [-1e6 * (y[0] - Math.sin(t)) + Math.cos(t)], times, [0], {
      method,
      rtol: 1e-7,
      atol: 1e-10,
    });
    const diff = assertClose(sol.y.map((y) => y[0]), times.map(Math.sin), { atol: 1e-7 }, "y");
    assert.ok(sol.stats.accepted < 300, `${sol.stats.accepted} steps`);
    console.log(
      `${method} Prothero-Robinson: max diff ${diff.toExponential(2)}, ${sol.stats.accepted} steps`,
    );
  });
}

const robertson = (_t: number, y: Float64Array) => [
  -0.04 * y[0] + 1e4 * y[1] * y[2],
  0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1],
  3e7 * y[1] * y[1],
];
/** Robertson at t = 40 (Hairer and Wanner, Solving ODEs II, reference solution). */
const ROBERTSON_40 = [0.7158270687193772, 9.185534764557338e-6, 0.2841637457458542];
const robertsonAtol = (rtol: number) => [rtol * 1e-2, rtol * 1e-6, rtol * 1e-2];

Deno.test("RODAS4 on Robertson: tight tolerance reproduces the published t = 40 values; mass conserved", () => {
  const times = [0, 1e-3, 1, 40, 1e3, 4e5];
  const reference = solveOde(robertson, times, [1, 0, 0], { rtol: 1e-10, atol: robertsonAtol(1e-10) });
  const diff = assertClose(reference.y[3], ROBERTSON_40, { atol: 1e-12, rtol: 1e-8 }, "y(40)");
  console.log(`Robertson rtol 1e-10 vs published y(40): max diff ${diff.toExponential(2)}`);
  for (const method of METHODS) {
    const sol = solveOde(robertson, times, [1, 0, 0], { method, rtol: 1e-6, atol: robertsonAtol(1e-6) });
    for (let i = 1; i < times.length; i++) {
      // A Rosenbrock step preserves the linear invariant y1 + y2 + y3 = 1 up to roundoff.
      assert.ok(Math.abs(sol.y[i][0] + sol.y[i][1] + sol.y[i][2] - 1) < 1e-13, `mass at ${times[i]}`);
      const d = assertClose(
        sol.y[i],
        reference.y[i],
        { rtol: 2e-4, atol: 1e-12 },
        `${method} y(${times[i]})`,
      );
      if (i === 3) console.log(`${method} Robertson rtol 1e-6 at t = 40: max diff ${d.toExponential(2)}`);
    }
    assert.ok(sol.stats.accepted < 2500, `${method}: ${sol.stats.accepted} steps`);
  }
});

Deno.test("order of accuracy: fixed-step errors on y' = -2 t y^2 (y = 1 / (1 + t^2)) halve as h^p", () => {
  const f = (t: number, y: Float64Array) => [-2 * t * y[0] * y[0]];
  const exact = 1 / 5;
  for (const [method, p] of [["rodas4", 4], ["rodas3", 3]] as const) {
    const errors = [20, 40, 80, 160].map((n) => {
      const sol = solveOde(f, [0, 2], [1], {
        method,
        fixedStep: 2 / n,
        jacobian: (t, y) => [-4 * t * y[0]],
        timeDerivative: (_t, y) => [-2 * y[0] * y[0]],
      });
      return Math.abs(sol.y[1][0] - exact);
    });
    const orders = errors.slice(1).map((e, i) => Math.log2(errors[i] / e));
    console.log(
      `${method}: errors ${errors.map((e) => e.toExponential(2))}, orders ${orders.map((o) => o.toFixed(2))}`,
    );
    const last = orders[orders.length - 1];
    assert.ok(last > p - 0.25 && last < p + 0.5, `${method}: observed order ${last}, expected ${p}`);
  }
});

Deno.test("adaptive error falls with the tolerance (RODAS4, Robertson at t = 40)", () => {
  const err = (rtol: number) => {
    const y = solveOde(robertson, [0, 40], [1, 0, 0], { rtol, atol: robertsonAtol(rtol) }).y[1];
    return Math.abs(y[0] - ROBERTSON_40[0]);
  };
  const coarse = err(1e-5), fine = err(1e-8);
  assert.ok(fine < coarse / 30, `errors ${coarse} (rtol 1e-5), ${fine} (rtol 1e-8)`);
});

Deno.test("solveOde rejects bad arguments and reports failures", () => {
  const f = (_t: number, y: Float64Array) => [-y[0]];
  assert.throws(() => solveOde(f, [0, 1, 1], [1]), /increasing/);
  assert.throws(() => solveOde(f, [], [1]), RangeError);
  assert.throws(() => solveOde(f, [0, 1], []), /y0 is empty/);
  assert.throws(() => solveOde(f, [0, 1], [NaN]), /y0\[0\] is NaN/);
  assert.throws(() => solveOde(f, [0, 1], [1], { rtol: 0 }), /rtol is 0/);
  assert.throws(() => solveOde(f, [0, 1], [1], { atol: [1, 2] }), /atol has 2 values/);
  assert.throws(() => solveOde(f, [0, 1], [1], { fixedStep: -1 }), /fixedStep/);
  assert.throws(() => solveOde(f, [0, 1], [1], { method: "rk4" as "rodas4" }), /unknown method "rk4"/);
  assert.throws(() => solveOde(f, [0, 1e6], [1], { maxSteps: 3, maxStep: 1 }), /more than 3 steps/);
  assert.throws(() => solveOde(() => [NaN], [0, 1], [1], { jacobian: () => [-1] }), /underflowed/);
  // Only t0: returns y0.
  assert.deepEqual(Array.from(solveOde(f, [0], [3]).y[0]), [3]);
});
