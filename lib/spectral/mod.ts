/**
 * Spectra and random-matrix theory: symmetric eigensolvers, the Marchenko-Pastur law, the Wigner
 * surmise and the 2x2-GOE densities, and level-spacing statistics.
 *
 * @module
 */
export { type SymmetricEigen, symmetricEigen } from "./jacobi_eigen.ts";
export { singularValues, symmetricEigenvalues } from "./symmetric_eigen_large.ts";
export { marchenkoPasturDensity, marchenkoPasturEdges } from "./marchenko_pastur.ts";
export { type DysonIndex, goe2SpacingDensity, wignerSurmise, wignerSurmiseScaled } from "./wigner_surmise.ts";
export { gaussianDensity, goe2Density } from "./goe2_density.ts";
export {
  MEAN_MIN_RATIO,
  nearestNeighbourSpacings,
  normaliseSpacings,
  pairSpacings,
  spacingRatios,
  spacingRatioSurmise,
  unfoldSpectrum,
} from "./level_spacing.ts";
