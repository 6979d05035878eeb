import { assert, assertClose } from "./_assert.ts";
import { gaussHermite, hermiteCoefficients, informationExponent } from "../lib/teacher_student/hermite.ts";
import { scaledLearningRate, scaledRepeatProbability, scaledSteps } from "../lib/teacher_student/scalings.ts";
import { HE3_UNNORMALISED } from "../lib/teacher_student/samplers.ts";

Deno.test("Gauss-Hermite rule: weights sum to 1, Gaussian moments E z^2k = (2k - 1)!! exactly", () => {
  for (const n of [1, 2, 7, 60, 150]) {
    const { nodes, weights } = gaussHermite(n);
    const moment = (p: number) => nodes.reduce((s, x, i) => s + weights[i] * x ** p, 0);
    assertClose([moment(0)], [1], { atol: 1e-13 }, `n = ${n}: sum of weights`);
    if (n >= 4) {
      assertClose([moment(2), moment(4), moment(6)], [1, 3, 15], { rtol: 1e-12 }, `n = ${n}: moments`);
    }
  }
  assert.throws(() => gaussHermite(0), /n is 0/);
});

Deno.test("Hermite coefficients: exact for Hermite combinations, closed forms for relu, IE of activations", () => {
  assertClose(hermiteCoefficients({ he1: 0.3, he3: 2, he5: -1 }, 6), [0, 0.3, 0, 2, 0, -1, 0], {
    atol: 1e-12,
  }, "he");
  assertClose(
    hermiteCoefficients(HE3_UNNORMALISED, 4),
    [0, 0, 0, Math.sqrt(6), 0],
    { atol: 1e-12 },
    "x^3 - 3x",
  );
  // relu: c0 = 1 / sqrt(2 pi), c1 = 1/2, c2 = 1 / sqrt(4 pi), c3 = 0. The kink limits the quadrature to ~1e-4.
  const relu = hermiteCoefficients("relu", 3);
  assertClose(relu, [1 / Math.sqrt(2 * Math.PI), 0.5, 1 / Math.sqrt(4 * Math.PI), 0], { atol: 2e-3 }, "relu");
  // tanh is odd: even coefficients vanish (symmetric nodes), c1 = E[tanh'(z)] ~ 0.6057.
  const tanh = hermiteCoefficients("tanh", 4);
  assertClose([tanh[0], tanh[2], tanh[4]], [0, 0, 0], { atol: 1e-14 }, "tanh even");
  assertClose([tanh[1]], [0.6057055], { atol: 1e-6 }, "tanh c1");
  assert.equal(informationExponent("he3"), 3);
  assert.equal(informationExponent({ he2: 1, he4: 1 }), 2);
  assert.equal(informationExponent("tanh"), 1);
  assert.equal(informationExponent((x) => x ** 4 - 6 * x * x + 3), 4);
  assert.equal(informationExponent("he0"), Infinity);
});

Deno.test("scalings: lr = eta0 d^(1 - k/2), steps = alpha d^(k - 1), p = p0 d^(-(k0 - 1)/2)", () => {
  assertClose([scaledLearningRate(2, 100, 3)], [0.2], { rtol: 1e-15 }, "lr");
  assert.equal(scaledSteps(3, 10, 3), 300);
  assertClose([scaledRepeatProbability(0.8, 100, 3)], [0.008], { rtol: 1e-15 }, "p");
  assert.equal(scaledRepeatProbability(5, 4, 1), 1);
  assert.throws(() => scaledSteps(1, 0, 2), /d is 0/);
});
