/**
 * Activation functions as coefficient vectors over a fixed basis.
 *
 * Every activation, named or a linear combination, is a vector of
 * {@linkcode ACTIVATION_SLOTS} coefficients over the basis below. Kernels
 * evaluate `sum_i c_i f_i(x)` (or its first or second derivative), skipping zero
 * coefficients, so a new combination never compiles a new shader.
 *
 * | slot | basis function |
 * |---|---|
 * | 0 | 1 (He0) |
 * | 1..5 | normalised probabilists' Hermite He_k(x) / sqrt(k!) |
 * | 6 | relu |
 * | 7 | tanh |
 * | 8 | sigmoid |
 * | 9 | silu (x sigmoid(x)) |
 * | 10, 11 | reserved (zero) |
 *
 * @module
 */

/** Number of coefficients (three vec4 in a uniform). */
export const ACTIVATION_SLOTS = 12;

/** Names of the basis functions, by slot. */
export const BASIS_NAMES = [
  "he0",
  "he1",
  "he2",
  "he3",
  "he4",
  "he5",
  "relu",
  "tanh",
  "sigmoid",
  "silu",
] as const;

/** A basis function's name. */
export type BasisName = typeof BASIS_NAMES[number];

/** A named activation: a basis function, or `"linear"` (= he1) / `"identity"`. */
export type ActivationName = BasisName | "linear" | "identity";

/**
 * An activation: a name, a map of basis coefficients (`{ he1: 1, he3: 0.5 }`),
 * or `{ hermite: [c0, c1, ...] }`, the combination sum_k c_k He_k/sqrt(k!).
 */
export type Activation =
  | ActivationName
  | Partial<Record<BasisName, number>>
  | { hermite: number[] };

/** Derivative order: 0 = the function, 1 = first derivative, 2 = second derivative. */
export type DerivativeOrder = 0 | 1 | 2;

/**
 * Resolves an activation to its coefficient vector.
 *
 * @param activation The activation.
 * @returns {@linkcode ACTIVATION_SLOTS} coefficients.
 * @throws {TypeError} On an unknown name or a non-finite coefficient.
 * @throws {RangeError} On a Hermite list longer than 6 (He0..He5).
 * @example
 * ```ts
 * import { activationCoefficients } from "./activations.ts";
 * activationCoefficients("relu")[6]; // 1
 * activationCoefficients({ hermite: [0, 0, 0, Math.sqrt(6)] })[3]; // sqrt(6): unnormalised He3
 * ```
 */
export function activationCoefficients(activation: Activation): Float64Array {
  const c = new Float64Array(ACTIVATION_SLOTS);
  if (typeof activation === "string") {
    const name = activation === "linear" || activation === "identity" ? "he1" : activation;
    const slot = (BASIS_NAMES as readonly string[]).indexOf(name);
    if (slot < 0) {
      throw new TypeError(
        `Cannot use activation "${activation}": unknown name, expected one of linear, ${
          BASIS_NAMES.join(", ")
        }`,
      );
    }
    c[slot] = 1;
    return c;
  }
  if (activation === null || typeof activation !== "object") {
    throw new TypeError(
      `Cannot use activation ${String(activation)}: expected a name or a coefficient object`,
    );
  }
  if ("hermite" in activation) {
    const list = (activation as { hermite: number[] }).hermite;
    if (!Array.isArray(list) || list.length > 6) {
      throw new RangeError(
        `Cannot use Hermite activation: ${list?.length} coefficients given, at most 6 (He0..He5)`,
      );
    }
    list.forEach((v, k) => c[k] = checkFinite(v, `hermite[${k}]`));
    return c;
  }
  for (const [name, value] of Object.entries(activation)) {
    const slot = (BASIS_NAMES as readonly string[]).indexOf(name);
    if (slot < 0) {
      throw new TypeError(
        `Cannot use activation term "${name}": unknown basis function, expected one of ${
          BASIS_NAMES.join(", ")
        }`,
      );
    }
    c[slot] = checkFinite(value as number, name);
  }
  return c;
}

function checkFinite(v: number, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`Cannot use activation coefficient ${what} = ${v}: must be a finite number`);
  }
  return v;
}

const INV_SQRT_FACTORIAL = [1, 1, 1 / Math.sqrt(2), 1 / Math.sqrt(6), 1 / Math.sqrt(24), 1 / Math.sqrt(120)];

/** Probabilists' Hermite polynomial He_k(x) for k = 0..5 (unnormalised). */
export function hermite(k: number, x: number): number {
  switch (k) {
    case 0:
      return 1;
    case 1:
      return x;
    case 2:
      return x * x - 1;
    case 3:
      return x * x * x - 3 * x;
    case 4:
      return x ** 4 - 6 * x * x + 3;
    case 5:
      return x ** 5 - 10 * x ** 3 + 15 * x;
    default:
      return 0;
  }
}

/** Normalised Hermite He_k(x)/sqrt(k!); zero for k < 0. */
function hermiteNormalised(k: number, x: number): number {
  return k < 0 ? 0 : hermite(k, x) * INV_SQRT_FACTORIAL[k];
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * One basis function (or its derivative) in float64: the reference the kernels match.
 *
 * @param slot Basis slot (see the module table).
 * @param x The input.
 * @param order Derivative order.
 * @returns The value.
 */
export function basisFunction(slot: number, x: number, order: DerivativeOrder): number {
  if (slot <= 5) {
    // d/dx He_k/sqrt(k!) = sqrt(k) He_{k-1}/sqrt((k-1)!)
    if (order === 0) return hermiteNormalised(slot, x);
    if (order === 1) return Math.sqrt(slot) * hermiteNormalised(slot - 1, x);
    return Math.sqrt(slot * (slot - 1)) * hermiteNormalised(slot - 2, x);
  }
  switch (slot) {
    case 6: // relu; NaN passes through, relu(-0) = -0
      if (Number.isNaN(x) || order === 0) return x < 0 ? 0 : x;
      return order === 1 && x > 0 ? 1 : 0;
    case 7: {
      const t = Math.tanh(x);
      return order === 0 ? t : order === 1 ? 1 - t * t : -2 * t * (1 - t * t);
    }
    case 8: {
      const s = sigmoid(x);
      return order === 0 ? s : order === 1 ? s * (1 - s) : s * (1 - s) * (1 - 2 * s);
    }
    case 9: {
      const s = sigmoid(x);
      if (order === 0) return x * s;
      if (order === 1) return s + x * s * (1 - s);
      return s * (1 - s) * (2 + x * (1 - 2 * s));
    }
    default:
      return 0;
  }
}

/**
 * Evaluates an activation (or a derivative) in float64.
 *
 * @param coefficients From {@linkcode activationCoefficients}.
 * @param x The input.
 * @param order Derivative order.
 * @returns sum over nonzero slots of c_i f_i^(order)(x).
 */
export function evaluateActivation(
  coefficients: ArrayLike<number>,
  x: number,
  order: DerivativeOrder = 0,
): number {
  let sum = 0;
  let any = false;
  for (let slot = 0; slot < ACTIVATION_SLOTS; slot++) {
    const c = coefficients[slot];
    if (c !== 0) {
      const term = c * basisFunction(slot, x, order);
      sum = any ? sum + term : term;
      any = true;
    }
  }
  return sum;
}
