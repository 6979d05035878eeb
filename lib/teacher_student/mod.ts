/**
 * Research line 1, teacher-student SGD: data models (spiked cumulants, perceptron), the fused
 * multi-walker trainer with its kernel choice, initialisation, losses, optimizer steps, observables,
 * scalings with d, Hermite expansions and the reduced (m, h) ODE.
 *
 * @module
 */
export {
  type DataModel,
  type DataModelParams,
  drawSample,
  HE3_UNNORMALISED,
  LegacySpike,
  type ModelOptions,
  Perceptron,
  RademacherCumulant,
  type SampleOptions,
  type Samples,
  SkewedCumulant,
  type SpikedOptions,
  whiteningCoefficient,
} from "./samplers.ts";
export {
  evolution,
  runTeacherStudent,
  type TeacherStudentChunk,
  type TeacherStudentConfig,
  walkerBatches,
} from "./trainer.ts";
export {
  chooseTeacherStudentKernel,
  type TeacherStudentKernel,
  teacherStudentThreadsPerWalker,
} from "./kernel_choice.ts";
export { initializeWeights, type InitMode, teacherDirection } from "./init.ts";
export { checkLoss, gradientCoefficient, type Loss, lossGradient, lossValue } from "./losses.ts";
export {
  type TeacherStudentOptimizer,
  teacherStudentStep,
  type TeacherStudentStepSettings,
} from "./steps.ts";
export { escapeTimes, linearSaveTimes, logSaveTimes, meanAbsOverlap } from "./observables.ts";
export { datasetPreactivations } from "./dataset_preactivations.ts";
export { scaledLearningRate, scaledRepeatProbability, scaledSteps } from "./scalings.ts";
export { gaussHermite, hermiteCoefficients, informationExponent } from "./hermite.ts";
export {
  hermiteProduct,
  type OdeTimeScale,
  type ReducedOdeParams,
  reducedOdeRates,
  type ReducedOdeSolveOptions,
  solveReducedOde,
  velocityField,
} from "./reduced_ode.ts";
export { STUDENT_STREAM, TEACHER_STREAM } from "./philox_layout.ts";
export { teacherStudentSgdReference } from "./sgd_reference.ts";
