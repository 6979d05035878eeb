/**
 * The reduced (m, h) ODE of "repetition" dynamics (the original's `utils.velocity_field`, spec A.8),
 * solved with the Rosenbrock integrator of lib/ode/.
 *
 * State: the overlap m = w.u and the preactivation h = w.x_rep of one repeated sample, whose teacher
 * preactivation h* = u.x_rep is a fixed parameter. With g the teacher, sigma' the student derivative,
 * c the order-k Hermite product (e.g. |c_3(tanh)| = 0.148 ~ 0.15 for He3-tanh, see
 * {@linkcode hermiteProduct}) and p the repetition probability:
 *
 *   v_w = p g(h*) sigma'(h) (h* - h m) + (1 - p) c k m^(k-1) (1 - m^2)
 *   v_x = p g(h*) sigma'(h) (d - h^2)  + (1 - p) c k m^(k-1) (h* - m h)
 *   dm/dt = v_w^2 / (2 d m tau),   dh/dt = v_w v_x / (m d tau) - h v_w^2 / (2 d tau m^2)
 *
 * (equivalently d(m^2)/dt = v_w^2 / (d tau) and d(m h)/dt = v_w v_x / (d tau): the equations are quadratic
 * in the velocities, as in the original code, not the first-order drift dm/dt ~ (lr / d) v_w). In log time
 * t = d^s both rates are multiplied by dt/ds = ln(d) d^s (the original's ln(d) d^(s-1) times the rates
 * without their 1/d: the same thing).
 *
 * @module
 */
import { type Activation, activationCoefficients, evaluateActivation } from "../activations.ts";
import { type OdeOptions, type OdeStats, solveOde } from "../ode/rosenbrock.ts";
import { hermiteCoefficients } from "./hermite.ts";

/** Parameters of the reduced ODE. */
export interface ReducedOdeParams {
  /** Dimension d (> 1). */
  d: number;
  /** Information exponent k of the population term. */
  k: number;
  /** Repetition probability p in [0, 1], or a schedule p(t) of linear time t. */
  p: number | ((t: number) => number);
  /** Time scale tau (> 0). */
  tau: number;
  /** Hermite product c of the population term (e.g. 0.15 for He3-tanh, 0.0625 for He5-tanh). */
  c: number;
  /** Teacher preactivation h* = u.x_rep of the repeated sample. */
  hStar: number;
  /** Teacher g (default He3) and student sigma (default tanh). */
  teacher?: Activation;
  student?: Activation;
}

/** "linear": t is the step count; "log": s with t = d^s. */
export type OdeTimeScale = "linear" | "log";

interface Prepared {
  d: number;
  k: number;
  tau: number;
  c: number;
  hStar: number;
  p: (t: number) => number;
  /** g(h*). */
  gStar: number;
  student: Float64Array;
}

function prepare(params: ReducedOdeParams): Prepared {
  const { d, k, tau, c, hStar } = params;
  const fail = (what: string) => {
    throw new RangeError(`Cannot build the reduced ODE: ${what}`);
  };
  if (!(d > 1)) fail(`d is ${d}, must be > 1`);
  if (!(k >= 1)) fail(`k is ${k}, must be >= 1`);
  if (!(tau > 0)) fail(`tau is ${tau}, must be > 0`);
  if (!Number.isFinite(c)) fail(`c is ${c}, must be finite`);
  if (!Number.isFinite(hStar)) fail(`hStar is ${hStar}, must be finite`);
  const pOption = params.p;
  if (typeof pOption === "number" && !(pOption >= 0 && pOption <= 1)) {
    fail(`p is ${pOption}, must be in [0, 1]`);
  }
  const p = typeof pOption === "number" ? () => pOption : pOption;
  const teacher = activationCoefficients(params.teacher ?? "he3");
  return {
    d,
    k,
    tau,
    c,
    hStar,
    p,
    gStar: evaluateActivation(teacher, hStar),
    student: activationCoefficients(params.student ?? "tanh"),
  };
}

/**
 * The velocities (v_w, v_x) at (m, h) and linear time t.
 *
 * @param m Overlap.
 * @param h Preactivation of the repeated sample.
 * @param params ODE parameters.
 * @param t Linear time (for a p schedule; default 0).
 * @returns v_w and v_x.
 */
export function velocityField(
  m: number,
  h: number,
  params: ReducedOdeParams,
  t = 0,
): { vw: number; vx: number } {
  return velocities(prepare(params), m, h, t);
}

function velocities(q: Prepared, m: number, h: number, t: number): { vw: number; vx: number } {
  const p = q.p(t);
  const repeated = p * q.gStar * evaluateActivation(q.student, h, 1);
  const population = (1 - p) * q.c * q.k * m ** (q.k - 1);
  return {
    vw: repeated * (q.hStar - h * m) + population * (1 - m * m),
    vx: repeated * (q.d - h * h) + population * (q.hStar - m * h),
  };
}

function rates(q: Prepared, m: number, h: number, t: number): [number, number] {
  const { vw, vx } = velocities(q, m, h, t);
  const dtau = q.d * q.tau;
  return [vw * vw / (2 * dtau * m), vw * vx / (m * dtau) - h * vw * vw / (2 * dtau * m * m)];
}

/**
 * The rates (dm/dt, dh/dt) in linear time, or (dm/ds, dh/ds) in log time (t = d^s).
 *
 * @param m Overlap (nonzero).
 * @param h Preactivation.
 * @param params ODE parameters.
 * @param time Time scale of `at`.
 * @param at Time t (linear) or s (log).
 * @returns The two rates.
 */
export function reducedOdeRates(
  m: number,
  h: number,
  params: ReducedOdeParams,
  time: OdeTimeScale = "linear",
  at = 0,
): [number, number] {
  return rhsOf(prepare(params), time)(at, Float64Array.of(m, h)) as [number, number];
}

function rhsOf(q: Prepared, time: OdeTimeScale): (at: number, y: Float64Array) => number[] {
  if (time === "linear") return (t, y) => rates(q, y[0], y[1], t);
  const logD = Math.log(q.d);
  return (s, y) => {
    const t = q.d ** s, jacobian = logD * t;
    const [dm, dh] = rates(q, y[0], y[1], t);
    return [dm * jacobian, dh * jacobian];
  };
}

/** Options of {@linkcode solveReducedOde}. */
export interface ReducedOdeSolveOptions extends Pick<OdeOptions, "method" | "rtol" | "atol" | "maxSteps"> {
  /** Initial overlap m0 (nonzero; e.g. 1 / sqrt(d)). */
  m0: number;
  /** Initial preactivation h0. */
  h0: number;
  /** Output times (increasing; the first is the start): t, or s with t = d^s. */
  times: number[];
  /** Time scale (default "log"). */
  time?: OdeTimeScale;
}

/**
 * Solves the reduced ODE with RODAS4 (default tolerances rtol 1e-8, atol 1e-12).
 *
 * @param params ODE parameters.
 * @param o Initial values, output times and tolerances.
 * @returns m and h at the output times, and the integrator's statistics.
 * @throws {RangeError} On bad parameters or m0 = 0.
 */
export function solveReducedOde(
  params: ReducedOdeParams,
  o: ReducedOdeSolveOptions,
): { times: number[]; m: Float64Array; h: Float64Array; stats: OdeStats } {
  const q = prepare(params);
  if (!(o.m0 !== 0 && Number.isFinite(o.m0))) {
    throw new RangeError(`Cannot solve the reduced ODE: m0 is ${o.m0}, must be finite and nonzero`);
  }
  const sol = solveOde(rhsOf(q, o.time ?? "log"), o.times, [o.m0, o.h0], {
    method: o.method,
    rtol: o.rtol ?? 1e-8,
    atol: o.atol ?? 1e-12,
    maxSteps: o.maxSteps,
  });
  return {
    times: sol.times,
    m: Float64Array.from(sol.y, (y) => y[0]),
    h: Float64Array.from(sol.y, (y) => y[1]),
    stats: sol.stats,
  };
}

/**
 * The order-k Hermite product c_k(teacher) c_k(student) of the normalised coefficients, the c of the
 * population term (corr loss: the population drift of m is sum_j j c_j(g) c_j(sigma) m^(j-1) (1 - m^2)).
 *
 * @param teacher Teacher activation.
 * @param student Student activation.
 * @param k Order.
 * @returns c_k(teacher) c_k(student) (signed; the original passes its absolute value).
 */
export function hermiteProduct(teacher: Activation, student: Activation, k: number): number {
  return hermiteCoefficients(teacher, k)[k] * hermiteCoefficients(student, k)[k];
}
