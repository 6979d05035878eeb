/**
 * The arguments the teacher-student kernels consume (kernels/teacher_student/teacher_student_sgd.ts and
 * kernels/teacher_student/teacher_student_sgd_workgroup.ts): the loss, the optimizer step and its settings,
 * the data model as the kernels see it, and the sampling mode. The line (lib/teacher_student/) builds them
 * and re-exports them; its float64 oracle (lib/teacher_student/sgd_reference.ts) reads the same ones.
 *
 * @module
 */

/** The teacher-student losses: squared error, or the negative correlation y (w.x). */
export type TeacherStudentLoss = "mse" | "corr";

/** Which step: single, twice (same sample), or extragradient with look-ahead rate rho. */
export type TeacherStudentOptimizer = "single" | "twice" | { extragradient: number };

/** What a step needs besides the weights and the sample. */
export interface TeacherStudentStepSettings {
  loss: TeacherStudentLoss;
  /** Student activation coefficients. */
  student: ArrayLike<number>;
  /** Learning rate; the step applied is lr / d. */
  learningRate: number;
  /** Project gradients onto the tangent space of the sphere. */
  spherical: boolean;
  optimizer: TeacherStudentOptimizer;
}

/** A data model as the kernels see it: x = z + s u, s = amplitude g + uzCoefficient u.z on class +1. */
export interface DataModelParams {
  /** "teacher": y = g(u.x) + noise eps (s = 0); "class": y = +1 w.p. pSpike (spiked), else -1 (x = z). */
  labels: "teacher" | "class";
  /** Teacher activation coefficients (lib/activations.ts basis), for "teacher" labels. */
  teacher: Float64Array;
  /** Output noise standard deviation, for "teacher" labels. */
  noise: number;
  /** Probability of label +1, for "class" labels. */
  pSpike: number;
  /** s = spikeAmplitude g + uzCoefficient (u.z) on label +1. */
  spikeAmplitude: number;
  uzCoefficient: number;
  /** The latent g: Rademacher (top bit of word q1) or two-point (`high` when (q1 >> 8) < ceil(pHigh 2^24)). */
  latent: "rademacher" | "two-point";
  latentProbabilityHigh: number;
  latentLow: number;
  latentHigh: number;
}

/** How samples are chosen. */
export type SamplingMode = "online" | "repeat" | "twice";
