/**
 * Shared fixtures of the teacher-student kernel tests (tests/teacher_student_sgd_test.ts and
 * tests/teacher_student_sgd_workgroup_test.ts).
 */
import { Perceptron } from "../lib/teacher_student/samplers.ts";
import type { TeacherStudentConfig } from "../lib/teacher_student/trainer.ts";

/** Save times 1..n (every step). */
export const every = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/** The base run both kernels' cases change: d = 37, 5 walkers, 100 steps saved at every step. */
export const BASE: TeacherStudentConfig = {
  model: new Perceptron({ d: 37, seed: 3 }),
  student: "relu",
  loss: "corr",
  learningRate: 2,
  walkers: 5,
  steps: 100,
  saveTimes: every(100),
};
