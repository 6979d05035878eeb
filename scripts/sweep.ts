/**
 * Sweeps of settings x seeds, locally or as a SLURM job array (lib/sweep/).
 *
 * ```
 * deno run -A scripts/sweep.ts local <spec.json> --out runs/sweep1 [--workers 2]   # plan, run, merge
 * deno run -A scripts/sweep.ts slurm <spec.json> --out /shared/sweep1 [--submit]   # plan, write sweep.sbatch
 * deno run -A scripts/sweep.ts task  <sweep-dir> --index 3     # one task (what each array element runs)
 * deno run -A scripts/sweep.ts merge <sweep-dir>               # combine into merged.json
 * ```
 *
 * The spec format is documented in lib/sweep/spec.ts.
 *
 * @module
 */
import { type CliSpec, COMMON_OPTIONS, runCli, UsageError } from "../lib/cli.ts";
import { mergeSweep, planSweep, runSweepLocal, runSweepTask } from "../lib/sweep/run.ts";
import { slurmArrayScript } from "../lib/sweep/slurm.ts";
import { writeFileAtomic } from "../lib/io/atomic.ts";
import { Progress, setProgressQuiet } from "../lib/progress.ts";
import { readEnv } from "../lib/env.ts";

const COMMANDS = ["local", "slurm", "task", "merge"];

/**
 * The options after `<command> <target>`. No `--seed`: a sweep's seeds are its spec's `"seeds"`; no
 * `--backend`: it is a setting of the task (`"backend"` in the spec's grid or `fixed`).
 */
export const CLI: CliSpec = {
  usage: "deno run -A scripts/sweep.ts <local|slurm> <spec.json> | <task|merge> <sweep-dir>",
  description: "Run a sweep (grid of settings x seeds) locally with a worker pool, or emit a SLURM job array",
  options: {
    out: { type: "string", default: "", description: "sweep directory (local, slurm)" },
    workers: {
      type: "number",
      default: 2,
      description: "subprocesses at once (local)",
      integer: true,
      min: 1,
      max: 1024,
    },
    index: {
      type: "number",
      default: -1,
      description: "task index (task; default $SLURM_ARRAY_TASK_ID)",
      integer: true,
      min: -1,
      max: 2 ** 31 - 1,
    },
    time: { type: "string", default: "01:00:00", description: "time limit per task (slurm)", nonEmpty: true },
    cpusPerTask: {
      type: "number",
      default: 2,
      description: "CPUs per task (slurm)",
      integer: true,
      min: 1,
      max: 4096,
    },
    memory: { type: "string", default: "", description: "memory per task, e.g. 8G (slurm)" },
    partition: { type: "string", default: "", description: "partition (slurm)" },
    maxParallel: {
      type: "number",
      default: 0,
      description: "array elements at once, 0 = no limit (slurm)",
      integer: true,
      min: 0,
      max: 1_000_000,
    },
    submit: { type: "boolean", default: false, description: "run sbatch on the script (slurm)" },
    quiet: { type: "boolean", default: false, description: "no progress output" },
    config: COMMON_OPTIONS.config,
  },
};

if (import.meta.main) {
  const [command, target, ...rest] = Deno.args;
  const help = !command || command === "--help" || command === "-h";
  if (!help && !COMMANDS.includes(command)) {
    console.error(`error: Unknown sweep command "${command}": use one of ${COMMANDS.join(", ")} (or --help)`);
    Deno.exit(2);
  }
  if (!help && (!target || target.startsWith("--"))) {
    console.error(
      `error: "sweep ${command}" needs a ${
        command === "local" || command === "slurm" ? "spec file" : "sweep directory"
      }`,
    );
    Deno.exit(2);
  }
  await runCli(CLI, async (o) => {
    setProgressQuiet(Boolean(o.quiet));
    if (command === "task") {
      const index = o.index === -1 ? Number(readEnv("SLURM_ARRAY_TASK_ID") ?? NaN) : Number(o.index);
      if (!Number.isInteger(index) || index < 0) {
        throw new UsageError(
          `Cannot run a sweep task: --index is ${o.index} and SLURM_ARRAY_TASK_ID is not set`,
        );
      }
      console.log(JSON.stringify(await runSweepTask(target, index)));
      return;
    }
    if (command === "merge") {
      const rows = await mergeSweep(target);
      console.error(`merged ${rows.length} tasks into ${target}/merged.json`);
      return;
    }
    if (!o.out) throw new UsageError(`"sweep ${command}" needs --out <sweep directory>`);
    const workers = Number(o.workers);
    if (command === "local" && (!Number.isInteger(workers) || workers < 1)) {
      throw new UsageError(`Cannot run sweep: --workers is ${workers}, must be an integer >= 1`);
    }
    // Absolute (the array elements may run elsewhere); planSweep creates it once the spec is valid.
    const out = String(o.out);
    const dir = out.startsWith("/") ? out : `${Deno.cwd()}/${out.replace(/^\.\//, "")}`;
    const plan = await planSweep(target, dir);
    if (command === "local") {
      const progress = new Progress({ total: plan.tasks.length, label: `sweep ${plan.name}`, unit: "tasks" });
      await runSweepLocal(dir, { workers, onTaskDone: () => progress.tick() });
      progress.finish();
      const rows = await mergeSweep(dir);
      console.error(`sweep ${plan.name}: ${rows.length} tasks merged into ${dir}/merged.json`);
      return;
    }
    await Deno.mkdir(`${dir}/slurm`, { recursive: true });
    const script = slurmArrayScript(plan, dir, {
      time: String(o.time),
      cpusPerTask: Number(o.cpusPerTask),
      memory: String(o.memory),
      partition: String(o.partition),
      maxParallel: Number(o.maxParallel),
    });
    await writeFileAtomic(`${dir}/sweep.sbatch`, script);
    console.error(
      `wrote ${dir}/sweep.sbatch (${plan.tasks.length} tasks); submit with: sbatch ${dir}/sweep.sbatch`,
    );
    if (o.submit) {
      const { code, stdout, stderr } = await new Deno.Command("sbatch", { args: [`${dir}/sweep.sbatch`] })
        .output();
      if (code !== 0) throw new Error(`sbatch failed: ${new TextDecoder().decode(stderr).trim()}`);
      console.log(new TextDecoder().decode(stdout).trim());
    }
  }, help ? ["--help"] : rest);
}
