/**
 * A SLURM job-array script for a planned sweep: array element `i` runs task `i` with the same
 * command the local pool uses (`deno run -A scripts/sweep.ts task <dir> --index i`).
 *
 * @module
 */
import type { SweepPlan } from "./run.ts";

/** Options of {@linkcode slurmArrayScript}. */
export interface SlurmOptions {
  /** Wall-clock limit per task, SLURM syntax (default `"01:00:00"`). */
  time?: string;
  /** CPUs per task (default 2). */
  cpusPerTask?: number;
  /** Memory per task, SLURM syntax (e.g. `"8G"`); omitted when empty. */
  memory?: string;
  /** Partition; omitted when empty. */
  partition?: string;
  /** Most array elements running at once (`%N`); unlimited when 0. */
  maxParallel?: number;
  /** Extra `#SBATCH` lines (e.g. `"--gres=gpu:1"`). */
  extra?: string[];
  /** The deno executable on the compute nodes (default: this one). */
  deno?: string;
  /** The sweep CLI script (default: this checkout's scripts/sweep.ts). */
  script?: string;
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Writes the text of an `sbatch` script running every task of `plan` as one job array.
 *
 * @param plan The planned sweep.
 * @param sweepDir Its directory (absolute, as seen from the compute nodes).
 * @param options Resources and paths.
 * @returns The script.
 */
export function slurmArrayScript(plan: SweepPlan, sweepDir: string, options: SlurmOptions = {}): string {
  const n = plan.tasks.length;
  const deno = options.deno ?? Deno.execPath();
  const script = options.script ?? new URL("../../scripts/sweep.ts", import.meta.url).pathname;
  const throttle = options.maxParallel ? `%${options.maxParallel}` : "";
  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=${plan.name}`,
    `#SBATCH --array=0-${n - 1}${throttle}`,
    `#SBATCH --output=${sweepDir}/slurm/%A_%a.out`,
    `#SBATCH --time=${options.time ?? "01:00:00"}`,
    `#SBATCH --cpus-per-task=${options.cpusPerTask ?? 2}`,
    ...(options.memory ? [`#SBATCH --mem=${options.memory}`] : []),
    ...(options.partition ? [`#SBATCH --partition=${options.partition}`] : []),
    ...(options.extra ?? []).map((e) => `#SBATCH ${e}`),
    `# Sweep "${plan.name}": ${n} tasks. Merge when all are done:`,
    `#   ${deno} run -A ${script} merge ${sweepDir}`,
    "set -euo pipefail",
    `exec ${quote(deno)} run -A ${quote(script)} task ${
      quote(sweepDir)
    } --index "$SLURM_ARRAY_TASK_ID" --quiet`,
    "",
  ];
  return lines.join("\n");
}
