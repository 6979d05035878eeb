/**
 * Nonlinear least squares (Levenberg-Marquardt, `npm:ml-levenberg-marquardt`) with the
 * parameter covariance from the Jacobian at the optimum, like scipy's `curve_fit`.
 *
 * The library's own finite-difference Jacobian uses a fixed step (0.1 by default), far too
 * coarse for a width of 0.05, so this module always hands it a Jacobian: the model's
 * analytical one if given, else central differences with a step relative to each parameter.
 * Its default stopping rule (weighted error <= 1e-2) is also switched off, and because its
 * `weights` option enters the error and the normal equations inconsistently (v5.1: 1/w^2 in
 * one, w^2 in the other), the fit is posed on the whitened residuals (y_i - f(x_i)) / sigma_i
 * with unit weights instead.
 *
 * @module
 */
import { levenbergMarquardt } from "npm:ml-levenberg-marquardt@5";
import { inverse, Matrix } from "npm:ml-matrix@6";

/** A model y = f(params)(x). */
export type Model = (params: number[]) => (x: number) => number;

/** Options of {@linkcode fitCurve}. */
export interface CurveFitOptions {
  /** Starting parameters (required). */
  initial: number[];
  /** Standard errors of y (default: all 1). */
  sigma?: ArrayLike<number>;
  /**
   * True: `sigma` are absolute errors (covariance (J^T W J)^-1). False (default, scipy's
   * absolute_sigma=False): the covariance is scaled by chi^2/dof.
   */
  absoluteSigma?: boolean;
  /** Analytical partial derivatives of the model in the parameters. */
  jacobian?: (params: number[]) => (x: number) => number[];
  /** Iterations (default 200). */
  maxIterations?: number;
  /** Lower bounds of the parameters. */
  minValues?: number[];
  /** Upper bounds of the parameters. */
  maxValues?: number[];
}

/** Result of {@linkcode fitCurve}. */
export interface CurveFit {
  /** Fitted parameters. */
  params: number[];
  /** Standard errors sqrt(diag(covariance)). */
  errors: number[];
  /** Parameter covariance, row-major p x p. */
  covariance: number[][];
  /** sum((y - f(x))^2 / sigma^2). */
  chi2: number;
  /** n - p. */
  dof: number;
  /** LM iterations used. */
  iterations: number;
}

/** Central-difference Jacobian of `model` in its parameters, step 1e-6 max(|p|, 1e-3). */
export function numericJacobian(model: Model): (params: number[]) => (x: number) => number[] {
  return (params) => {
    const steps = params.map((p) => 1e-6 * Math.max(Math.abs(p), 1e-3));
    const plus = params.map((_, k) => model(params.map((p, j) => j === k ? p + steps[k] : p)));
    const minus = params.map((_, k) => model(params.map((p, j) => j === k ? p - steps[k] : p)));
    return (x) => params.map((_, k) => (plus[k](x) - minus[k](x)) / (2 * steps[k]));
  };
}

/**
 * Fits `model` to (x, y) by Levenberg-Marquardt and returns parameters with their covariance.
 *
 * @param x Abscissae.
 * @param y Ordinates.
 * @param model The model.
 * @param options Initial values, errors, covariance convention.
 * @returns Parameters, errors, covariance, chi^2.
 * @throws {RangeError} On mismatched lengths, fewer points than parameters or bad errors.
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { fitCurve } from "./curve_fit.ts";
 * const x = [0, 1, 2, 3], y = x.map((v) => 2 * v + 1);
 * const fit = fitCurve(x, y, ([a, b]) => (v) => a * v + b, { initial: [0, 0] });
 * assert.ok(Math.abs(fit.params[0] - 2) < 1e-6);
 * ```
 */
export function fitCurve(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  model: Model,
  options: CurveFitOptions,
): CurveFit {
  const n = x.length, p = options.initial.length;
  if (y.length !== n || (options.sigma && options.sigma.length !== n)) {
    throw new RangeError(`Cannot fit a curve: ${n} x, ${y.length} y, ${options.sigma?.length} errors`);
  }
  if (p < 1 || n < p) {
    throw new RangeError(`Cannot fit a curve: ${n} points for ${p} parameters (need n >= p >= 1)`);
  }
  const sigma = Float64Array.from({ length: n }, (_, i) => options.sigma ? options.sigma[i] : 1);
  if (!sigma.every((s) => s > 0)) throw new RangeError("Cannot fit a curve: every error must be > 0");
  const jacobian = options.jacobian ?? numericJacobian(model);
  // Whitened problem: data point i is (i, y_i / sigma_i), the model f(x_i) / sigma_i.
  const index = Array.from({ length: n }, (_, i) => i);
  const whitened = (params: number[]) => {
    const f = model(params);
    return (i: number) => f(x[i]) / sigma[i];
  };
  const whitenedJacobian = (params: number[]) => {
    const g = jacobian(params);
    return (i: number) => g(x[i]).map((d) => d / sigma[i]);
  };
  const result = levenbergMarquardt({ x: index, y: Array.from(y, (v, i) => v / sigma[i]) }, whitened, {
    initialValues: options.initial,
    jacobianFunction: whitenedJacobian,
    maxIterations: options.maxIterations ?? 200,
    errorTolerance: 0,
    damping: 1e-3,
    minValues: options.minValues,
    maxValues: options.maxValues,
  });
  const params = result.parameterValues;
  const f = model(params), jac = jacobian(params);
  let chi2 = 0;
  const jtj = Matrix.zeros(p, p);
  for (let i = 0; i < n; i++) {
    chi2 += ((y[i] - f(x[i])) / sigma[i]) ** 2;
    const g = jac(x[i]), w = 1 / (sigma[i] * sigma[i]);
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) jtj.set(a, b, jtj.get(a, b) + w * g[a] * g[b]);
  }
  const dof = n - p;
  let covariance: number[][];
  try {
    covariance = inverse(jtj).to2DArray();
  } catch {
    covariance = Array.from({ length: p }, () => new Array(p).fill(Infinity));
  }
  if (!options.absoluteSigma) {
    const scale = dof > 0 ? chi2 / dof : Infinity;
    covariance = covariance.map((row) => row.map((v) => v * scale));
  }
  return {
    params,
    errors: covariance.map((row, k) => Math.sqrt(row[k])),
    covariance,
    chi2,
    dof,
    iterations: result.iterations,
  };
}
