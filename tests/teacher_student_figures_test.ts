import { assert } from "./_assert.ts";
import { run as fig1 } from "../scripts/teacher_student_fig1_overlap.ts";
import { run as fig2, testConfig as fig2Test } from "../scripts/teacher_student_fig2_repetition.ts";
import { run as fig3, testConfig as fig3Test } from "../scripts/teacher_student_fig3_lr_student_grid.ts";
import {
  escapeTimeNoRepetition,
  run as fig4,
  testConfig as fig4Test,
} from "../scripts/teacher_student_fig4_reduced_ode.ts";
import { moments, run as fig5, testConfig as fig5Test } from "../scripts/teacher_student_fig5_samplers.ts";
import {
  lineFit,
  meanFieldEscapeTime,
  run as fig6,
  testConfig as fig6Test,
} from "../scripts/teacher_student_fig6_escape_scaling.ts";
import { VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";

Deno.test("figure 1 (overlap per walker): tiny run escapes within the alpha d^(k-1) budget", async () => {
  const { spec, summary } = await fig1({
    dims: "16,24",
    walkers: 6,
    k: 3,
    eta0: 0.5,
    alpha: 8,
    pRepeat: 0.1,
    seed: 1,
    backend: "auto",
  });
  assert.equal(spec.$schema, VEGA_LITE_SCHEMA);
  const panels = summary.panels as { mode: string; d: number; escapedFraction: number; steps: number }[];
  assert.equal(panels.length, 4);
  for (const p of panels) {
    assert.equal(p.steps, 8 * p.d ** 2);
    // With lr = 0.5 d^(-1/2) the drift 3 (lr/d) m^2 beats the noise from |m| ~ 1/sqrt(d) within ~d^2 steps.
    assert.ok(p.escapedFraction >= 0.5, `${p.mode} d=${p.d}: escaped ${p.escapedFraction}`);
  }
});

Deno.test("figure 2 (repetition): initial mean |m| matches sqrt(2 / (pi d)) within 3 SEM for every mode", async () => {
  const { spec, summary } = await fig2({ ...fig2Test, backend: "auto" });
  assert.equal(spec.$schema, VEGA_LITE_SCHEMA);
  const panels = summary.panels as {
    mode: string;
    initialMeanAbsM: number;
    initialSem: number;
    predictedInitialMeanAbsM: number;
    finalMeanAbsM: number;
  }[];
  assert.deepEqual(panels.map((p) => p.mode), ["online", "twice", "repeat"]);
  for (const p of panels) {
    // |m| of a uniform direction: E|m| = sqrt(2 / (pi d)) (1 + O(1/d)).
    const gap = Math.abs(p.initialMeanAbsM - p.predictedInitialMeanAbsM);
    assert.ok(
      gap < 3 * p.initialSem + 0.01,
      `${p.mode}: ${p.initialMeanAbsM} vs ${p.predictedInitialMeanAbsM}`,
    );
    assert.ok(p.finalMeanAbsM > 0 && p.finalMeanAbsM <= 1, `${p.mode}: final ${p.finalMeanAbsM}`);
  }
});

Deno.test("figure 3 (lr x student): tanh gets no fourth-cumulant signal (c = 0), relu does (c > 0)", async () => {
  const { summary } = await fig3({ ...fig3Test, backend: "auto" });
  const panels = summary.panels as {
    student: string;
    populationCoefficient: number;
    escapedFraction: number;
  }[];
  assert.equal(panels.length, 4);
  for (const p of panels) {
    if (p.student === "tanh") assert.equal(p.populationCoefficient, 0);
    // relu: c = kappa_4 c_4 / (2 sqrt 24) with kappa_4 = -2 snr^4 = -1.312 and c_4(relu) = -0.0807
    else assert.ok(Math.abs(p.populationCoefficient - 0.0108) < 3e-4, `relu c ${p.populationCoefficient}`);
    assert.ok(p.escapedFraction >= 0 && p.escapedFraction <= 1);
  }
});

Deno.test("figure 4 (reduced ODE): p = 0 escape log-time matches the closed form; repetition changes h", async () => {
  const { summary } = await fig4(fig4Test);
  const curves = summary.curves as { p: number; escapeS: number | null; finalM: number; finalH: number }[];
  const d = fig4Test.d;
  const closed = Math.log(escapeTimeNoRepetition(d, 1, summary.c as number, 1 / Math.sqrt(d), 0.5)) /
    Math.log(d);
  assert.ok(Math.abs((summary.closedFormEscapeSNoRepetition as number) - closed) < 1e-12);
  // The s grid has spacing 3 / 24 = 0.125: the first grid point past the escape.
  const noRepetition = curves.find((c) => c.p === 0)!;
  assert.ok(
    noRepetition.escapeS! >= closed && noRepetition.escapeS! < closed + 0.125 + 1e-9,
    `escape s ${noRepetition.escapeS} vs closed form ${closed}`,
  );
  // With p = 0 and m -> 1, h -> h* (v_w = v_x = 0 at m = 1, h = h*).
  assert.ok(Math.abs(noRepetition.finalH - fig4Test.hStar) < 1e-3, `h ${noRepetition.finalH}`);
  const repeated = curves.find((c) => c.p > 0)!;
  assert.ok(repeated.finalH > noRepetition.finalH + 0.5, `h with repetition ${repeated.finalH}`);
});

Deno.test("figure 5 (samplers): skewness and excess kurtosis along u within 5 SE of the closed forms", async () => {
  const { summary } = await fig5(fig5Test);
  type Moment = { measured: number; predicted: number; standardError: number };
  const models = summary.models as {
    model: string;
    variance: number;
    skewness: Moment;
    excessKurtosis: Moment;
  }[];
  assert.equal(models.length, 4);
  for (const m of models) {
    for (const q of [m.skewness, m.excessKurtosis]) {
      assert.ok(Math.abs(q.measured - q.predicted) < 5 * q.standardError, `${m.model}: ${JSON.stringify(q)}`);
    }
    // Exact whitening: unit variance along u (SE of a variance ~ sqrt(2 / n)).
    assert.ok(Math.abs(m.variance - 1) < 0.1, `${m.model}: variance ${m.variance}`);
  }
  const skewed = models.find((m) => m.model.startsWith("Skewed"))!;
  assert.ok(Math.abs(skewed.skewness.predicted + 0.664) < 1e-3); // spec A.2: -0.664 at beta = 5, rho = 0.7
  const rademacher = models.find((m) => m.model.startsWith("Rademacher"))!;
  assert.ok(Math.abs(rademacher.excessKurtosis.predicted + 1.389) < 1e-3); // -2 beta^2 / (1 + beta)^2
  const g = moments([1, 2, 3, 4]);
  assert.ok(
    Math.abs(g.variance - 1.25) < 1e-12 && Math.abs(g.skewness) < 1e-12 &&
      Math.abs(g.kurtosis + 1.36) < 1e-12,
  );
});

Deno.test("figure 6 (escape scaling): tiny run gives exponents near the mean-field slopes (k = 1: ~1, k = 3: ~2)", async () => {
  const { summary } = await fig6({ ...fig6Test, backend: "auto" });
  const fits = summary.fits as { k: number; fittedExponent: number | null; meanFieldExponent: number }[];
  const byK = (k: number) => fits.find((f) => f.k === k)!;
  // 32 walkers at d = 16, 32 (seeds 0..5 gave k = 1: 1.14..1.37 against 1.32; k = 3: 1.64..2.32 against 2.28).
  assert.ok(Math.abs(byK(1).fittedExponent! - byK(1).meanFieldExponent) < 0.3, JSON.stringify(byK(1)));
  assert.ok(byK(3).fittedExponent! > 1.3 && byK(3).fittedExponent! < 3, JSON.stringify(byK(3)));
  // The mean-field time: k = 1, lr / d drift with shrinkage: (d / lr) int dm / ((1 - m^2) - lr m / 2).
  assert.ok(Math.abs(lineFit([0, 1, 2], [1, 3, 5]).slope - 2) < 1e-12);
  const t = meanFieldEscapeTime(100, 1, 1e-9, 0.1); // no shrinkage: (d / lr) (atanh(0.5) - atanh(0.1))
  assert.ok(Math.abs(t / ((100 / 1e-9) * (Math.atanh(0.5) - Math.atanh(0.1))) - 1) < 1e-6, `${t}`);
});
