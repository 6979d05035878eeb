/**
 * An adaptive Rosenbrock integrator for stiff ODE systems y' = f(t, y), written for small systems
 * (the reduced (m, h) ODE of the teacher-student line, chemical-kinetics test problems).
 *
 * Each step solves `stages` linear systems with one LU factorisation of W = I / (h gamma) - J
 * (lib/ode/rosenbrock_tableaus.ts: RODAS4 by default, or RODAS3). The embedded solution gives a local
 * error estimate; the step is accepted when the scaled RMS error
 * sqrt(mean_i (err_i / (atol_i + rtol max(|y0_i|, |y1_i|)))^2) is <= 1, and the next step is
 * h * clamp(0.9 err^(-1 / errorOrder), 0.2, 6) (no growth right after a rejection). Output times are hit
 * exactly (no interpolation). J and df/dt come from the caller or from central differences.
 *
 * @example
 * ```ts
 * import { solveOde } from "./rosenbrock.ts";
 * // y' = -1000 (y - cos t): stiff, y -> cos t
 * const sol = solveOde((t, y) => [-1000 * (y[0] - Math.cos(t))], [0, 1], [1], { rtol: 1e-8 });
 * Math.abs(sol.y[1][0] - Math.cos(1)) < 1e-2; // true (the solution lags cos t by ~ sin t / 1000)
 * ```
 *
 * @module
 */
import { luFactor, luSolve } from "./lu.ts";
import { ROSENBROCK_METHODS, type RosenbrockTableau } from "./rosenbrock_tableaus.ts";
import { finiteDifferenceJacobian, finiteDifferenceTimeDerivative } from "./finite_difference.ts";

/** The right-hand side f(t, y). */
export type OdeFunction = (t: number, y: Float64Array) => ArrayLike<number>;

/** Options of {@linkcode solveOde}. */
export interface OdeOptions {
  /** "rodas4" (default, order 4) or "rodas3" (order 3), or a tableau. */
  method?: keyof typeof ROSENBROCK_METHODS | RosenbrockTableau;
  /** Relative tolerance (default 1e-6). */
  rtol?: number;
  /** Absolute tolerance, scalar or per component (default 1e-9). */
  atol?: number | ArrayLike<number>;
  /** Exact Jacobian df/dy, row-major n x n (default: central differences). */
  jacobian?: (t: number, y: Float64Array) => ArrayLike<number>;
  /** Exact df/dt (default: central differences, unless `autonomous`). */
  timeDerivative?: (t: number, y: Float64Array) => ArrayLike<number>;
  /** f does not depend on t: skip df/dt. */
  autonomous?: boolean;
  /** First step size (default: estimated from f(t0, y0)). */
  initialStep?: number;
  /** Largest step size (default: unbounded). */
  maxStep?: number;
  /** Most steps (accepted + rejected) before giving up (default 100000). */
  maxSteps?: number;
  /** Take fixed steps of this size with no error control (for order-of-accuracy checks). */
  fixedStep?: number;
}

/** Work done by {@linkcode solveOde}. */
export interface OdeStats {
  accepted: number;
  rejected: number;
  rhsEvaluations: number;
  jacobianEvaluations: number;
  factorizations: number;
}

/** The solution at the requested times. */
export interface OdeSolution {
  times: number[];
  /** y at each time (y[0] is the initial value). */
  y: Float64Array[];
  stats: OdeStats;
}

function tableauOf(method: OdeOptions["method"]): RosenbrockTableau {
  if (method === undefined) return ROSENBROCK_METHODS.rodas4;
  if (typeof method === "object") return method;
  const t = (ROSENBROCK_METHODS as Record<string, RosenbrockTableau>)[method];
  if (!t) throw new TypeError(`Cannot integrate ODE: unknown method "${method}", expected rodas4 or rodas3`);
  return t;
}

function checkArguments(times: readonly number[], y0: ArrayLike<number>, o: OdeOptions): void {
  if (times.length < 1) throw new RangeError("Cannot integrate ODE: times is empty, need at least t0");
  times.forEach((t, i) => {
    if (!Number.isFinite(t) || (i > 0 && !(t > times[i - 1]))) {
      throw new RangeError(`Cannot integrate ODE: times must be finite and increasing, got ${t} at ${i}`);
    }
  });
  if (y0.length < 1) throw new RangeError("Cannot integrate ODE: y0 is empty");
  for (let i = 0; i < y0.length; i++) {
    if (!Number.isFinite(y0[i])) throw new RangeError(`Cannot integrate ODE: y0[${i}] is ${y0[i]}`);
  }
  const rtol = o.rtol ?? 1e-6;
  if (!(rtol > 0)) throw new RangeError(`Cannot integrate ODE: rtol is ${rtol}, must be > 0`);
  const atol = o.atol ?? 1e-9;
  const atols = typeof atol === "number" ? [atol] : Array.from(atol);
  if (typeof atol !== "number" && atols.length !== y0.length) {
    throw new RangeError(`Cannot integrate ODE: atol has ${atols.length} values, y0 has ${y0.length}`);
  }
  if (atols.some((a) => !(a >= 0))) throw new RangeError(`Cannot integrate ODE: atol must be >= 0`);
  for (const key of ["fixedStep", "initialStep", "maxStep"] as const) {
    const v = o[key];
    if (v !== undefined && !(v > 0)) {
      throw new RangeError(`Cannot integrate ODE: ${key} is ${v}, must be > 0`);
    }
  }
}

/**
 * Integrates y' = f(t, y) from times[0] to the last time, returning y at every requested time.
 *
 * @param f The right-hand side.
 * @param times Output times, increasing; times[0] is t0.
 * @param y0 Initial value.
 * @param options Method, tolerances, Jacobian, step limits.
 * @returns y at the times, and work statistics.
 * @throws {RangeError} On bad arguments.
 * @throws {Error} When the step size underflows, f stays non-finite, or maxSteps is exceeded.
 */
export function solveOde(
  f: OdeFunction,
  times: readonly number[],
  y0: ArrayLike<number>,
  options: OdeOptions = {},
): OdeSolution {
  checkArguments(times, y0, options);
  const tab = tableauOf(options.method);
  const n = y0.length, s = tab.stages;
  const rtol = options.rtol ?? 1e-6;
  const atolOption = options.atol ?? 1e-9;
  const atol = (i: number) => typeof atolOption === "number" ? atolOption : atolOption[i];
  const maxStep = options.maxStep ?? Infinity, maxSteps = options.maxSteps ?? 100000;
  const stats: OdeStats = {
    accepted: 0,
    rejected: 0,
    rhsEvaluations: 0,
    jacobianEvaluations: 0,
    factorizations: 0,
  };
  const rhs = (t: number, y: Float64Array) => {
    stats.rhsEvaluations++;
    return Float64Array.from(f(t, y));
  };
  const jacobian = (t: number, y: Float64Array, fy: Float64Array) => {
    stats.jacobianEvaluations++;
    return options.jacobian
      ? Float64Array.from(options.jacobian(t, y))
      : finiteDifferenceJacobian(rhs, t, y, fy);
  };
  const timeDerivative = (t: number, y: Float64Array) =>
    options.autonomous
      ? new Float64Array(n)
      : options.timeDerivative
      ? Float64Array.from(options.timeDerivative(t, y))
      : finiteDifferenceTimeDerivative(rhs, t, y);

  let t = times[0];
  let y = Float64Array.from(y0);
  let fy = rhs(t, y);
  const out: Float64Array[] = [Float64Array.from(y)];
  const span = times[times.length - 1] - t;
  let h = options.fixedStep ?? options.initialStep ?? initialStep(y, fy, rtol, atol, span);
  h = Math.min(h, maxStep);
  const k: Float64Array[] = Array.from({ length: s }, () => new Float64Array(n));
  const yStage = new Float64Array(n), stageRhs = new Float64Array(n);
  for (let target = 1; target < times.length; target++) {
    while (t < times[target]) {
      const remaining = times[target] - t;
      const clipped = h >= remaining * (1 - 1e-12);
      let step = clipped ? remaining : h;
      const J = jacobian(t, y, fy);
      const dfdt = timeDerivative(t, y);
      let lastRejected = false;
      for (;;) {
        if (stats.accepted + stats.rejected >= maxSteps) {
          throw new Error(`Cannot integrate ODE: more than ${maxSteps} steps before t = ${times[target]}`);
        }
        if (!(step > 1e-14 * Math.max(1, Math.abs(t)))) {
          throw new Error(`Cannot integrate ODE: step size ${step} underflowed at t = ${t}`);
        }
        // W = I / (h gamma) - J
        const W = Float64Array.from(J, (v) => -v);
        for (let i = 0; i < n; i++) W[i * n + i] += 1 / (step * tab.gamma);
        const lu = luFactor(W, n);
        stats.factorizations++;
        for (let i = 0; i < s; i++) {
          let fi = fy;
          if (i > 0) {
            yStage.set(y);
            for (let j = 0; j < i; j++) {
              const a = tab.a[i][j];
              if (a !== 0) { for (let q = 0; q < n; q++) yStage[q] += a * k[j][q]; }
            }
            fi = rhs(t + tab.alpha[i] * step, yStage);
          }
          for (let q = 0; q < n; q++) stageRhs[q] = fi[q] + tab.gammaSum[i] * step * dfdt[q];
          for (let j = 0; j < i; j++) {
            const c = tab.c[i][j] / step;
            for (let q = 0; q < n; q++) stageRhs[q] += c * k[j][q];
          }
          k[i].set(luSolve(lu, stageRhs));
        }
        const yNew = Float64Array.from(y);
        let errSum = 0;
        for (let q = 0; q < n; q++) {
          let e = 0;
          for (let i = 0; i < s; i++) {
            yNew[q] += tab.m[i] * k[i][q];
            e += tab.e[i] * k[i][q];
          }
          const scale = atol(q) + rtol * Math.max(Math.abs(y[q]), Math.abs(yNew[q]));
          errSum += (e / scale) ** 2;
        }
        const err = options.fixedStep ? 0 : Math.sqrt(errSum / n);
        const finite = yNew.every(Number.isFinite);
        if (options.fixedStep && !finite) {
          throw new Error(`Cannot integrate ODE: the solution is not finite at t = ${t + step}`);
        }
        if (!finite || !(err <= 1)) {
          stats.rejected++;
          lastRejected = true;
          step *= finite ? Math.max(0.2, 0.9 * err ** (-1 / tab.errorOrder)) : 0.25;
          continue;
        }
        stats.accepted++;
        t = step === remaining ? times[target] : t + step;
        y = yNew;
        fy = rhs(t, y);
        if (!options.fixedStep) {
          let grow = err === 0 ? 6 : Math.min(6, Math.max(0.2, 0.9 * err ** (-1 / tab.errorOrder)));
          if (lastRejected) grow = Math.min(grow, 1);
          const proposal = Math.min(maxStep, step * grow);
          h = clipped && !lastRejected ? Math.max(h, proposal) : proposal;
        }
        break;
      }
    }
    out.push(Float64Array.from(y));
  }
  return { times: [...times], y: out, stats };
}

/** Hairer and Wanner's starting step guess: 0.01 |y0| / |f(t0, y0)| in the scaled norm, capped by the span. */
function initialStep(
  y: Float64Array,
  fy: Float64Array,
  rtol: number,
  atol: (i: number) => number,
  span: number,
): number {
  let d0 = 0, d1 = 0;
  for (let i = 0; i < y.length; i++) {
    const scale = atol(i) + rtol * Math.abs(y[i]);
    d0 += (y[i] / scale) ** 2;
    d1 += (fy[i] / scale) ** 2;
  }
  d0 = Math.sqrt(d0 / y.length);
  d1 = Math.sqrt(d1 / y.length);
  const h = d0 < 1e-5 || d1 < 1e-5 || !Number.isFinite(d1) ? 1e-6 : 0.01 * d0 / d1;
  return Math.min(h, span > 0 ? span : Infinity);
}
