/**
 * The reduced (m, h) ODE (lib/teacher_student/reduced_ode.ts) against closed forms: with p = 0 and
 * k = 1 or 2 the overlap equation separates, d(m^2)/dt = (c k m^(k-1) (1 - m^2))^2 / (d tau), and
 * integrates exactly; log-time and linear-time solutions agree; the rates satisfy the identities
 * d(m^2)/dt = v_w^2 / (d tau) and d(m h)/dt = v_w v_x / (d tau); bad parameters are rejected.
 */
import { assert, assertClose, testValues } from "./_assert.ts";
import {
  hermiteProduct,
  type ReducedOdeParams,
  reducedOdeRates,
  solveReducedOde,
  velocityField,
} from "../lib/teacher_student/reduced_ode.ts";

const base: ReducedOdeParams = {
  d: 400,
  k: 3,
  p: 0.2,
  tau: 1,
  c: 0.15,
  hStar: 1.3,
  teacher: "he3",
  student: "tanh",
};

Deno.test("reduced ODE, p = 0, k = 1: m^2 follows 1 / (1 - q) = 1 / (1 - q0) + c^2 t / (d tau)", () => {
  const params = { ...base, k: 1, p: 0, c: 0.4, tau: 2 };
  const m0 = 1 / Math.sqrt(params.d), times = [0, 10, 1e3, 1e4, 5e4, 2e5];
  const sol = solveReducedOde(params, { m0, h0: 0.5, times, time: "linear" });
  const a = params.c ** 2 / (params.d * params.tau);
  const want = times.map((t) => Math.sqrt(1 - 1 / (1 / (1 - m0 * m0) + a * t)));
  const diff = assertClose(sol.m, want, { rtol: 1e-6 }, "m");
  console.log(`k = 1 closed form: max diff ${diff.toExponential(2)}, ${sol.stats.accepted} steps`);
});

Deno.test("reduced ODE, p = 0, k = 2: F(q) = ln(q / (1 - q)) + 1 / (1 - q) grows as 4 c^2 t / (d tau) (log time)", () => {
  const params = { ...base, k: 2, p: 0, c: 0.5 };
  const m0 = 1 / Math.sqrt(params.d), s = [0.25, 1, 1.5, 2, 2.5, 3];
  const sol = solveReducedOde(params, { m0, h0: 0, times: s });
  const F = (q: number) => Math.log(q / (1 - q)) + 1 / (1 - q);
  // Invert the increasing F on (0, 1) by bisection: m(t) = sqrt(F^-1(F(q0) + 4 c^2 (t - t0) / (d tau))).
  const inverse = (target: number) => {
    let lo = 0, hi = 1;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (F(mid) < target) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  // The solution starts at s = 0.25 (t = d^0.25), with m = m0 there.
  const want = s.map((si) =>
    Math.sqrt(
      inverse(F(m0 * m0) + 4 * params.c ** 2 * (params.d ** si - params.d ** 0.25) / (params.d * params.tau)),
    )
  );
  const diff = assertClose(sol.m, want, { rtol: 1e-6 }, "m");
  assert.ok(sol.m[sol.m.length - 1] > 0.9, `m(d^3) = ${sol.m[sol.m.length - 1]}`);
  console.log(`k = 2 closed form: max diff ${diff.toExponential(2)}, ${sol.stats.accepted} steps`);
});

Deno.test("reduced ODE: log-time and linear-time solutions agree at t = d^s (repetition, p = 0.2)", () => {
  const s = [0.5, 1, 1.5, 2, 2.5];
  const t = s.map((v) => base.d ** v);
  const init = { m0: 0.08, h0: 0.7 };
  const inLog = solveReducedOde(base, { ...init, times: s, time: "log" });
  const inLinear = solveReducedOde(base, { ...init, times: t, time: "linear" });
  const dm = assertClose(inLog.m, inLinear.m, { atol: 1e-9, rtol: 1e-5 }, "m");
  const dh = assertClose(inLog.h, inLinear.h, { atol: 1e-7, rtol: 1e-5 }, "h");
  console.log(`log vs linear time: max diff m ${dm.toExponential(2)}, h ${dh.toExponential(2)}`);
  // The rates in log time are the linear rates times dt/ds = ln(d) d^s.
  const [lm, lh] = reducedOdeRates(0.1, 0.4, base, "log", 1.5);
  const [m, h] = reducedOdeRates(0.1, 0.4, base, "linear", base.d ** 1.5);
  const J = Math.log(base.d) * base.d ** 1.5;
  assertClose([lm, lh], [m * J, h * J], { rtol: 1e-14 }, "log rates");
});

Deno.test("reduced ODE rates: d(m^2)/dt = v_w^2 / (d tau) and d(m h)/dt = v_w v_x / (d tau)", () => {
  const ms = testValues(7, 5, 0.02, 0.9), hs = testValues(7, 6, -3, 3);
  for (let i = 0; i < 7; i++) {
    const params = { ...base, p: i / 6, k: 1 + (i % 4) };
    const { vw, vx } = velocityField(ms[i], hs[i], params);
    const [dm, dh] = reducedOdeRates(ms[i], hs[i], params);
    const dtau = params.d * params.tau;
    assertClose([2 * ms[i] * dm, ms[i] * dh + hs[i] * dm], [vw * vw / dtau, vw * vx / dtau], {
      atol: 1e-15,
      rtol: 1e-12,
    }, `identities at point ${i}`);
  }
  // Pure repetition (p = 1): v_w vanishes on the curve h m = h*, v_x at h^2 = d.
  const p1 = { ...base, p: 1 };
  assert.ok(Math.abs(velocityField(0.5, base.hStar / 0.5, p1).vw) < 1e-15);
  assert.ok(Math.abs(velocityField(0.5, Math.sqrt(base.d), p1).vx) < 1e-12);
  // A p schedule that returns the constant gives the same solution.
  const opts = { m0: 0.05, h0: 0.2, times: [0.5, 1.5, 2.5] };
  assertClose(
    solveReducedOde({ ...base, p: () => 0.2 }, opts).m,
    solveReducedOde(base, opts).m,
    { atol: 0 },
    "m",
  );
});

Deno.test("Hermite products: c_3(He3) c_3(tanh) ~ -0.148 (the original's c = 0.15), c_2(relu)^2 = 1 / (4 pi)", () => {
  assertClose([hermiteProduct("he3", "he3", 3)], [1], { atol: 1e-12 }, "He3.He3");
  assertClose([hermiteProduct("he3", "he1", 3)], [0], { atol: 1e-12 }, "He3.He1");
  const c3 = hermiteProduct("he3", "tanh", 3), c5 = hermiteProduct("he5", "tanh", 5);
  assert.ok(Math.abs(Math.abs(c3) - 0.15) < 0.005, `c3 ${c3}`);
  assert.ok(Math.abs(Math.abs(c5) - 0.0625) < 0.001, `c5 ${c5}`);
  // relu's kink makes Gauss-Hermite converge slowly (hermite.ts: errors ~ 1e-4 to 1e-3).
  assertClose([hermiteProduct("relu", "relu", 2)], [1 / (4 * Math.PI)], { atol: 1e-3 }, "relu c2^2");
});

Deno.test("reduced ODE rejects bad parameters", () => {
  assert.throws(() => velocityField(0.1, 0, { ...base, d: 1 }), /d is 1/);
  assert.throws(() => velocityField(0.1, 0, { ...base, tau: 0 }), /tau is 0/);
  assert.throws(() => velocityField(0.1, 0, { ...base, p: 1.5 }), /p is 1.5/);
  assert.throws(() => velocityField(0.1, 0, { ...base, k: 0 }), /k is 0/);
  assert.throws(() => solveReducedOde(base, { m0: 0, h0: 0, times: [0, 1] }), /m0 is 0/);
  assert.throws(() => velocityField(0.1, 0, { ...base, student: "softplus" as "tanh" }), TypeError);
});
