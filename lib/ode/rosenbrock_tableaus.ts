/**
 * Coefficients of Rosenbrock methods in the transformed form of Hairer and Wanner (Solving ODEs II,
 * section IV.7, eq. 7.25) that avoids a matrix-vector product per stage. With W = I / (h gamma) - J,
 * J = df/dy(t0, y0), for stage i = 1..s:
 *
 *   W k_i = f(t0 + alpha_i h, y0 + sum_{j<i} a_ij k_j) + sum_{j<i} (c_ij / h) k_j + gammaSum_i h df/dt(t0, y0)
 *   y1 = y0 + sum_i m_i k_i,   error estimate = sum_i e_i k_i.
 *
 * @module
 */

/** A Rosenbrock method: `stages` stages, order `order`, embedded method of order `order - 1`. */
export interface RosenbrockTableau {
  name: string;
  stages: number;
  /** Classical order of the main method. */
  order: number;
  /** Order used in the step-size controller: min(order, embedded order) + 1. */
  errorOrder: number;
  /** The diagonal gamma of W = I / (h gamma) - J. */
  gamma: number;
  /** Stage times as fractions of h. */
  alpha: number[];
  /** gamma_i = sum_j gamma_ij, the weights of h df/dt in the stages (non-autonomous systems). */
  gammaSum: number[];
  /** Strictly lower-triangular a_ij (row i holds j < i). */
  a: number[][];
  /** Strictly lower-triangular c_ij. */
  c: number[][];
  /** Solution weights m_i. */
  m: number[];
  /** Error-estimate weights e_i (main minus embedded solution). */
  e: number[];
}

/**
 * RODAS4 (Hairer and Wanner 1996): 6 stages, order 4, stiffly accurate, L-stable, embedded order 3.
 * The default: the method of scipy-free stiff solvers for small systems such as the reduced ODEs.
 */
export const RODAS4: RosenbrockTableau = {
  name: "rodas4",
  stages: 6,
  order: 4,
  errorOrder: 4,
  gamma: 0.25,
  alpha: [0, 0.386, 0.21, 0.63, 1, 1],
  gammaSum: [0.25, -0.1043, 0.1035, -0.0362, 0, 0],
  a: [
    [],
    [1.544],
    [0.9466785280815826, 0.2557011698983284],
    [3.314825187068521, 2.896124015972201, 0.9986419139977817],
    [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895],
    [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895, 1],
  ],
  c: [
    [],
    [-5.6688],
    [-2.430093356833875, -0.2063599157091915],
    [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
    [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.7089089320616],
    [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136, -6.058818238834054],
  ],
  m: [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895, 1, 1],
  e: [0, 0, 0, 0, 0, 1],
};

/**
 * RODAS3 (Sandu et al. 1997, KPP): 4 stages, order 3, stiffly accurate, L-stable, embedded order 2.
 * (ROS3P, the other common third-order choice, was not used: its embedded solution coincides with the
 * main one on every linear constant-coefficient problem, so its error estimate there is exactly zero.)
 */
export const RODAS3: RosenbrockTableau = {
  name: "rodas3",
  stages: 4,
  order: 3,
  errorOrder: 3,
  gamma: 0.5,
  alpha: [0, 0, 1, 1],
  gammaSum: [0.5, 1.5, 0, 0],
  a: [[], [0], [2, 0], [2, 0, 1]],
  c: [[], [4], [1, -1], [1, -1, -8 / 3]],
  m: [2, 0, 1, 1],
  e: [0, 0, 0, 1],
};

/** The methods by name. */
export const ROSENBROCK_METHODS = { rodas4: RODAS4, rodas3: RODAS3 } as const;
