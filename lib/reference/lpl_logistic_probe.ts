/**
 * Float64 oracle of the multinomial logistic-regression probe (lib/probes/logistic_probe.ts).
 *
 * Objective (scikit-learn's `LogisticRegression(C)` divided by C n, so the same minimiser):
 * `F(W, b) = (1/n) sum_i CE(softmax(W^T x_i + b), y_i) + (lambda/2) ||W||_F^2` with lambda = 1/(C n);
 * the intercept b is not penalised. W is [dims, classes] row-major, b [classes]; the parameter vector
 * is W followed by b. Solved here by damped Newton steps with an exact Hessian and a backtracking line
 * search: slow (O(((d+1)K)^3) per step) but independent of the backend's L-BFGS, so a test can hold one
 * to the other.
 *
 * @module
 */

/** A probe problem: features [rows, dims] row-major, integer labels in [0, classes). */
export interface ProbeProblem {
  features: ArrayLike<number>;
  labels: ArrayLike<number>;
  rows: number;
  dims: number;
  classes: number;
  /** lambda, the L2 coefficient (1/(C n)). */
  penalty: number;
}

/** The objective and its gradient at one parameter vector. */
export interface ProbeObjective {
  loss: number;
  gradient: Float64Array;
}

/** Softmax probabilities [rows, classes] of the parameters (W then b). */
export function probeProbabilities(p: ProbeProblem, params: ArrayLike<number>): Float64Array {
  const { rows, dims, classes: k } = p;
  const out = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let z = params[dims * k + c];
      for (let j = 0; j < dims; j++) z += p.features[i * dims + j] * params[j * k + c];
      out[i * k + c] = z;
      max = Math.max(max, z);
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += out[i * k + c] = Math.exp(out[i * k + c] - max);
    for (let c = 0; c < k; c++) out[i * k + c] /= sum;
  }
  return out;
}

/** F and its gradient (see the module doc). */
export function probeObjective(p: ProbeProblem, params: ArrayLike<number>): ProbeObjective {
  const { rows, dims, classes: k } = p;
  const prob = probeProbabilities(p, params);
  const gradient = new Float64Array((dims + 1) * k);
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const y = p.labels[i];
    loss -= Math.log(Math.max(prob[i * k + y], 1e-300)) / rows;
    for (let c = 0; c < k; c++) {
      const r = (prob[i * k + c] - (c === y ? 1 : 0)) / rows;
      for (let j = 0; j < dims; j++) gradient[j * k + c] += r * p.features[i * dims + j];
      gradient[dims * k + c] += r;
    }
  }
  for (let q = 0; q < dims * k; q++) {
    loss += 0.5 * p.penalty * params[q] * params[q];
    gradient[q] += p.penalty * params[q];
  }
  return { loss, gradient };
}

function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  // Gaussian elimination with partial pivoting (a is n x n, overwritten).
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[pivot * n + c])) pivot = r;
    if (pivot !== c) {
      for (let j = 0; j < n; j++) [a[c * n + j], a[pivot * n + j]] = [a[pivot * n + j], a[c * n + j]];
      [x[c], x[pivot]] = [x[pivot], x[c]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / a[c * n + c];
      if (f === 0) continue;
      for (let j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
      x[r] -= f * x[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let j = r + 1; j < n; j++) s -= a[r * n + j] * x[j];
    x[r] = s / a[r * n + r];
  }
  return x;
}

/** Result of {@linkcode fitLogisticProbeReference}. */
export interface ProbeReferenceFit {
  /** W then b. */
  params: Float64Array;
  loss: number;
  /** Largest |gradient| entry at the end. */
  gradientMax: number;
  iterations: number;
}

/**
 * Minimises F by Newton's method (Hessian damped by 1e-10 along the unpenalised softmax shift of b).
 *
 * @param p The problem.
 * @param options Stop when max |grad| <= tolerance (default 1e-12) or after maxIterations (100).
 * @returns The minimiser and its objective.
 */
export function fitLogisticProbeReference(
  p: ProbeProblem,
  { tolerance = 1e-12, maxIterations = 100 }: { tolerance?: number; maxIterations?: number } = {},
): ProbeReferenceFit {
  const { rows, dims, classes: k } = p;
  const n = (dims + 1) * k;
  let params = new Float64Array(n);
  let current = probeObjective(p, params);
  let iterations = 0;
  const gmax = (g: Float64Array) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  while (gmax(current.gradient) > tolerance && iterations < maxIterations) {
    iterations++;
    const prob = probeProbabilities(p, params);
    const h = new Float64Array(n * n);
    const xt = new Float64Array(dims + 1);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < dims; j++) xt[j] = p.features[i * dims + j];
      xt[dims] = 1;
      for (let c = 0; c < k; c++) {
        for (let c2 = 0; c2 < k; c2++) {
          const w = (prob[i * k + c] * ((c === c2 ? 1 : 0) - prob[i * k + c2])) / rows;
          if (w === 0) continue;
          for (let j = 0; j <= dims; j++) {
            const wj = w * xt[j];
            for (let j2 = 0; j2 <= dims; j2++) h[(j * k + c) * n + j2 * k + c2] += wj * xt[j2];
          }
        }
      }
    }
    for (let q = 0; q < n; q++) h[q * n + q] += q < dims * k ? p.penalty : 1e-10;
    const step = solve(h, current.gradient, n);
    let t = 1;
    for (;;) {
      const trial = params.map((v, q) => v - t * step[q]);
      const next = probeObjective(p, trial);
      if (next.loss <= current.loss || t < 1e-10) {
        params = trial;
        current = next;
        break;
      }
      t /= 2;
    }
  }
  return { params, loss: current.loss, gradientMax: gmax(current.gradient), iterations };
}
