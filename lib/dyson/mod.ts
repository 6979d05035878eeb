/**
 * Research line 2, weight-matrix dynamics and Dyson Brownian motion: the Gaussian RBM on a free
 * field and the n x n linear teacher-student ensembles, trained as fused ensembles; batched spectra,
 * spacing statistics and density fits; the sweeps and the figures of the paper.
 *
 * @module
 */
export { freeFieldEigenvalues, freeFieldKernel, inverseKernel, rbmFixedPoint } from "./free_field.ts";
export {
  type GaussianRbmConfig,
  hiddenMean,
  type MuMode,
  planGaussianRbm,
  RBM_GIBBS_STREAM,
  RBM_INIT_STREAM,
  type RbmPlan,
  type RbmSetting,
  sampleHidden,
  sampleVisible,
  visibleMean,
} from "./gaussian_rbm.ts";
export { type GaussianRbmResult, runGaussianRbm } from "./rbm_trainer.ts";
export {
  minibatchCovariances,
  planTeacherStudentEnsemble,
  type TeacherStudentEnsembleConfig,
  type TsPlan,
  type TsSetting,
} from "./teacher_student.ts";
export {
  ensembleSingularValues,
  runTeacherStudentEnsemble,
  type TeacherStudentEnsembleResult,
} from "./ts_trainer.ts";
export {
  type BatchedEigen,
  type BatchedEigenOptions,
  batchedSymmetricEigen,
  gramMatrices,
} from "./batched_eigen.ts";
export {
  type DensityFit,
  fdMean,
  fitGaussianDensity,
  fitPairDensity,
  ksDistanceToSurmise,
} from "./spacing_statistics.ts";
export {
  analyseRbmSetting,
  degenerateModes,
  pooledDensity,
  type RbmAnalysisOptions,
  type RbmModeFit,
  type RbmPairStatistics,
  type RbmSettingAnalysis,
  type RbmSpectra,
  rbmSpectra,
} from "./rbm_analysis.ts";
export {
  clearRbmEnsembleCache,
  fixedPointWeights,
  type RbmEnsembleOptions,
  type RbmEnsembles,
  type RbmSettingResult,
  type RbmSweepName,
  type RbmSweeps,
  type RbmSweepSetting,
  rbmSweepSettings,
  runRbmEnsembles,
} from "./rbm_sweep.ts";
export {
  runTeacherStudentSweeps,
  type TeacherStudentSettingStatistics,
  type TeacherStudentSweepName,
  type TeacherStudentSweepOptions,
  type TeacherStudentSweeps,
  type TeacherStudentSweepSetting,
  teacherStudentSweepSettings,
} from "./teacher_student_sweep.ts";
export {
  RBM_BATCH_SIZE_SWEEP,
  RBM_FULL_SCALE,
  RBM_LEARNING_RATE_SWEEP,
  RBM_QUICK_DATASETS,
  RBM_QUICK_SCALE,
  RBM_TEST_SCALE,
  type RbmFigureConfig,
  type RbmFigureDataset,
  rbmFigureScript,
  rbmFigureSettings,
  runRbmFigureDatasets,
  runRbmFigureSettings,
} from "./rbm_figure_config.ts";
export { rbmDensityFigure } from "./rbm_density_figures.ts";
export { rbmWignerFigure } from "./rbm_spacing_figures.ts";
export { type RbmScalingFigure, rbmScalingFigure } from "./rbm_scaling_figures.ts";
export {
  clearTeacherStudentSweepCache,
  runTeacherStudentFigureDatasets,
  runTeacherStudentFigureSweeps,
  TEACHER_STUDENT_FULL_SCALE,
  TEACHER_STUDENT_QUICK_DATASETS,
  TEACHER_STUDENT_QUICK_SCALE,
  TEACHER_STUDENT_SWEEPS,
  TEACHER_STUDENT_TEST_SCALE,
  type TeacherStudentDataset,
  type TeacherStudentFigureConfig,
  teacherStudentFigureScript,
} from "./teacher_student_figure_config.ts";
export {
  combinePoints,
  type DatasetSlope,
  type SlopeAcrossDatasets,
  slopeAcrossDatasets,
  slopeSentence,
  slopeSummary,
  type SlopeTarget,
} from "./dataset_combination.ts";
export {
  teacherStudentRhoFitFigure,
  teacherStudentSingularValueFigure,
} from "./teacher_student_density_figures.ts";
export { teacherStudentWignerFigure } from "./teacher_student_spacing_figures.ts";
export {
  teacherStudentScalingFigure,
  teacherStudentSpacingScalingFigure,
} from "./teacher_student_scaling_figures.ts";
export {
  type DensityPanel,
  densityPanelsSpec,
  type ScalingPoint,
  scalingSpec,
  spacingRowSpec,
} from "./dyson_plots.ts";
export {
  type CompleteFigureScript,
  familyFigureScript,
  type FigureFamily,
  type FigureScriptSpec,
} from "./figure_family.ts";
export { gaussianRbmReference } from "./gaussian_rbm_reference.ts";
export { teacherStudentReference } from "./teacher_student_reference.ts";
