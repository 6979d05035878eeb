/**
 * Parameter sweeps: a JSON spec expanded into tasks, run locally in a pool or as a SLURM array,
 * and merged.
 *
 * @module
 */
export { checkSweepSpec, expandSweep, type SweepSpec, type SweepTaskFunction } from "./spec.ts";
export { mergeSweep, planSweep, runSweepLocal, runSweepTask } from "./run.ts";
export { slurmArrayScript } from "./slurm.ts";
