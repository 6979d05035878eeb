/**
 * Stiff ODE integration: Rosenbrock methods (RODAS3, RODAS4) with step-size control, finite-difference
 * Jacobians and a dense LU solve.
 *
 * @module
 */
export {
  type OdeFunction,
  type OdeOptions,
  type OdeSolution,
  type OdeStats,
  solveOde,
} from "./rosenbrock.ts";
export { RODAS3, RODAS4, ROSENBROCK_METHODS, type RosenbrockTableau } from "./rosenbrock_tableaus.ts";
export { finiteDifferenceJacobian, finiteDifferenceTimeDerivative } from "./finite_difference.ts";
export { luFactor, type LuFactors, luSolve } from "./lu.ts";
