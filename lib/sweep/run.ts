/**
 * Running a sweep: plan it into a directory, run one task (the unit a worker or a SLURM
 * array element runs), run all tasks locally with a pool of subprocesses, and merge.
 *
 * ```
 * <sweep>/sweep.json            the spec, the task module's URL and every task (index, settings, seed)
 * <sweep>/tasks/<index>/        one run directory per task: config.json, result.json, done.json
 * <sweep>/merged.json           every task's settings, seed and results, in index order
 * ```
 *
 * @module
 */
import { UsageError } from "../exit_codes.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { isCompleteRun, RunDir } from "../io/run_dir.ts";
import {
  checkSweepKeys,
  checkSweepSpec,
  expandSweep,
  type SweepSpec,
  type SweepTask,
  type SweepTaskFunction,
} from "./spec.ts";

/** Contents of `sweep.json`. */
export interface SweepPlan {
  name: string;
  spec: SweepSpec;
  /** Absolute URL of the task module. */
  taskModule: string;
  /** Name of the task function exported by it. */
  taskExport: string;
  tasks: SweepTask[];
}

/** The directory of task `index`. */
export function taskDir(sweepDir: string, index: number): string {
  return `${sweepDir}/tasks/${String(index).padStart(5, "0")}`;
}

/**
 * Reads a spec file and writes `<sweepDir>/sweep.json` (refusing a directory planned for another sweep).
 *
 * @param specPath The spec JSON file.
 * @param sweepDir The sweep directory (created).
 * @returns The plan.
 * @throws {TypeError} On a bad spec; {@linkcode Error} when the directory holds a different sweep.
 */
export async function planSweep(specPath: string, sweepDir: string): Promise<SweepPlan> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await Deno.readTextFile(specPath));
  } catch (error) {
    throw new TypeError(`Cannot read sweep spec ${specPath}: ${(error as Error).message}`);
  }
  const spec = checkSweepSpec(parsed, specPath);
  const [path, taskExport] = spec.task.split("#");
  const base = new URL(`file://${await Deno.realPath(specPath)}`);
  const taskModule = new URL(path, base).href;
  const plan: SweepPlan = { name: spec.name, spec, taskModule, taskExport, tasks: expandSweep(spec) };
  // Fail now, before any directory exists, not in every worker.
  checkSweepKeys(spec, await loadTaskFunction(plan), specPath);
  try {
    await Deno.mkdir(sweepDir, { recursive: true });
  } catch (error) {
    throw new UsageError(
      `Cannot create sweep directory ${sweepDir}: ${(error as Error).message}; choose another --out`,
    );
  }
  const existing = await Deno.readTextFile(`${sweepDir}/sweep.json`).catch(() => null);
  if (existing !== null && JSON.stringify(JSON.parse(existing)) !== JSON.stringify(plan)) {
    throw new UsageError(
      `Cannot plan sweep "${spec.name}" in ${sweepDir}: it holds a different sweep.json; choose another --out`,
    );
  }
  if (existing === null) await writeJsonAtomic(`${sweepDir}/sweep.json`, plan);
  return plan;
}

/** Reads `<sweepDir>/sweep.json`. */
export async function readPlan(sweepDir: string): Promise<SweepPlan> {
  try {
    return JSON.parse(await Deno.readTextFile(`${sweepDir}/sweep.json`));
  } catch (error) {
    throw new UsageError(
      `Cannot read sweep ${sweepDir}: no readable sweep.json (${
        (error as Error).message
      }); is it a sweep directory?`,
    );
  }
}

async function loadTaskFunction(plan: SweepPlan): Promise<SweepTaskFunction> {
  let module: Record<string, unknown>;
  try {
    module = await import(plan.taskModule);
  } catch (error) {
    throw new TypeError(`Cannot load sweep task module ${plan.taskModule}: ${(error as Error).message}`);
  }
  const fn = module[plan.taskExport];
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot use sweep task: ${plan.taskModule} has no exported function "${plan.taskExport}"`,
    );
  }
  return fn as SweepTaskFunction;
}

/** Written into a task directory by the process that runs it: `{ host, pid, startedAt }`. */
export const OWNER_FILE = "owner.json";

/** Whether process `pid` is alive on this host (Linux `/proc`; elsewhere assumed alive). */
function processAlive(pid: number): boolean {
  if (Deno.build.os !== "linux") return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Moves an incomplete task directory (a killed attempt) aside to `<dir>.incomplete-<time>` so the
 * task can run again without deleting anything; refuses when the owner recorded in it is a live
 * process on this host (the same task started twice).
 */
async function setAsideIncompleteTask(dir: string, sweepName: string, index: number): Promise<void> {
  const entries = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
  if (entries.length === 0) return;
  const owner = await Deno.readTextFile(`${dir}/${OWNER_FILE}`).then(JSON.parse).catch(() => null) as
    | { host?: string; pid?: number }
    | null;
  if (
    owner && owner.host === Deno.hostname() && typeof owner.pid === "number" && owner.pid !== Deno.pid &&
    processAlive(owner.pid)
  ) {
    throw new UsageError(
      `Cannot run task ${index} of sweep "${sweepName}": process ${owner.pid} on this host is running it ` +
        `(${dir}); wait for it to finish, or stop it first`,
    );
  }
  const aside = `${dir}.incomplete-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  await Deno.rename(dir, aside);
  console.error(`sweep: task ${index} had an incomplete attempt; moved it to ${aside} and running it again`);
}

/**
 * Runs task `index` of a planned sweep into its own run directory (skipped when already complete;
 * an incomplete one from a killed attempt is moved aside, never deleted, unless a live process on
 * this host owns it).
 *
 * @param sweepDir The sweep directory.
 * @param index The task index (a SLURM array index).
 * @returns The task's results.
 */
export async function runSweepTask(sweepDir: string, index: number): Promise<Record<string, unknown>> {
  const plan = await readPlan(sweepDir);
  const task = plan.tasks[index];
  if (!Number.isInteger(index) || !task) {
    throw new RangeError(
      `Cannot run task ${index} of sweep "${plan.name}": it has tasks 0..${plan.tasks.length - 1}`,
    );
  }
  const dir = taskDir(sweepDir, index);
  if (await isCompleteRun(dir)) return JSON.parse(await Deno.readTextFile(`${dir}/result.json`));
  await setAsideIncompleteTask(dir, plan.name, index);
  const fn = await loadTaskFunction(plan);
  const run = await RunDir.create(dir, {
    name: `${plan.name}/${index}`,
    parameters: task.settings,
    seed: task.seed,
    backend: String(task.settings.backend ?? "auto"),
  });
  await writeJsonAtomic(`${dir}/${OWNER_FILE}`, {
    host: Deno.hostname(),
    pid: Deno.pid,
    startedAt: run.config.createdAt,
  });
  const started = performance.now();
  const result = await fn(task.settings, task.seed);
  await run.writeJson("result.json", result);
  await run.complete({ walltimeSeconds: (performance.now() - started) / 1000 });
  return result;
}

/** Options of {@linkcode runSweepLocal}. */
export interface LocalPoolOptions {
  /** Subprocesses at once (default 2). */
  workers?: number;
  /** The sweep CLI script run as `deno run -A <script> task <dir> --index i` (default scripts/sweep.ts). */
  script?: string;
  /** Called after each task ends. */
  onTaskDone?: (index: number, ok: boolean) => void;
}

/**
 * Runs every incomplete task of a planned sweep, each in its own `deno` subprocess (the same
 * command a SLURM array element runs), `workers` at a time.
 *
 * @param sweepDir The sweep directory.
 * @param options Pool size and callbacks.
 * @throws {Error} Listing the failed tasks and the end of their stderr.
 */
export async function runSweepLocal(sweepDir: string, options: LocalPoolOptions = {}): Promise<void> {
  const plan = await readPlan(sweepDir);
  const workers = options.workers ?? 2;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`Cannot run sweep "${plan.name}": workers is ${workers}, must be an integer >= 1`);
  }
  const script = options.script ?? new URL("../../scripts/sweep.ts", import.meta.url).pathname;
  const queue = plan.tasks.map((t) => t.index);
  const failures: string[] = [];
  const worker = async () => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      if (await isCompleteRun(taskDir(sweepDir, index))) {
        options.onTaskDone?.(index, true);
        continue;
      }
      const { code, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", script, "task", sweepDir, "--index", String(index), "--quiet"],
        stdout: "null",
        stderr: "piped",
      }).output();
      if (code !== 0) {
        failures.push(`task ${index} (exit ${code}): ${new TextDecoder().decode(stderr).trim().slice(-500)}`);
      }
      options.onTaskDone?.(index, code === 0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, plan.tasks.length) }, worker));
  if (failures.length) {
    throw new Error(`Sweep "${plan.name}": ${failures.length} task(s) failed:\n${failures.join("\n")}`);
  }
}

/** One merged row: the task's index, seed, settings and results. */
export type MergedRow = Record<string, unknown> & { index: number; seed: number };

/**
 * Combines every task's results into `<sweepDir>/merged.json` (index order).
 *
 * @param sweepDir The sweep directory.
 * @returns The rows.
 * @throws {Error} Naming the incomplete tasks (nothing is written then).
 */
export async function mergeSweep(sweepDir: string): Promise<MergedRow[]> {
  const plan = await readPlan(sweepDir);
  const missing: number[] = [];
  const rows: MergedRow[] = [];
  for (const task of plan.tasks) {
    const dir = taskDir(sweepDir, task.index);
    if (!(await isCompleteRun(dir))) {
      missing.push(task.index);
      continue;
    }
    const result = JSON.parse(await Deno.readTextFile(`${dir}/result.json`));
    rows.push({ index: task.index, seed: task.seed, ...task.settings, ...result });
  }
  if (missing.length) {
    const list = missing.length > 20 ? `${missing.slice(0, 20).join(", ")}, ...` : missing.join(", ");
    throw new UsageError(
      `Cannot merge sweep "${plan.name}": ${missing.length} of ${plan.tasks.length} tasks are not complete ` +
        `(${list}); run them first (sweep local, or the SLURM array)`,
    );
  }
  await writeJsonAtomic(`${sweepDir}/merged.json`, { name: plan.name, tasks: plan.tasks.length, rows });
  return rows;
}
