/**
 * Sweeps: a grid of settings x seeds, split into tasks (DESIGN.md section 6).
 *
 * A sweep spec (JSON) names a task function and the grid:
 *
 * ```json
 * {
 *   "name": "lr_vs_d",
 *   "task": "../scripts/train_linear_regression.ts#sweepTask",
 *   "grid": { "learningRate": [0.25, 0.5, 1], "d": [16, 64] },
 *   "seeds": [0, 1, 2],
 *   "fixed": { "walkers": 64, "steps": 2000 }
 * }
 * ```
 *
 * `task` is a module path (relative to the spec file) and an export name; the function is
 * called as `fn({ ...fixed, ...settings }, seed)` and returns a JSON object of results.
 * Task `i` is the i-th combination in grid order (first key slowest), seeds innermost, so
 * the same index means the same task locally and in a SLURM array.
 *
 * @module
 */

/** A sweep spec (see the module doc). */
export interface SweepSpec {
  name: string;
  /** `"<module path>#<export>"`, the path relative to the spec file (or absolute, or a URL). */
  task: string;
  /** Values of each swept setting. */
  grid: Record<string, (number | string | boolean)[]>;
  /** Seeds run for every combination. */
  seeds: number[];
  /** Settings shared by every task. */
  fixed?: Record<string, unknown>;
}

/** One task of a sweep. */
export interface SweepTask {
  index: number;
  /** `fixed` merged with this task's grid values. */
  settings: Record<string, unknown>;
  seed: number;
}

/**
 * A sweep task function: settings and seed in, JSON-serialisable results out. It declares the names
 * of the settings it reads (`settings`), so that a misspelled grid or `fixed` key is refused when
 * the sweep is planned instead of silently running the default; `check`, when given, validates one
 * task's settings at planning time (before any directory is created or task runs).
 *
 * ```ts ignore
 * export async function myTask(settings: Record<string, unknown>, seed: number) { ... }
 * myTask.settings = ["learningRate", "d"];
 * myTask.check = (settings: Record<string, unknown>, seed: number) => { ... throw on a bad value ... };
 * ```
 */
export interface SweepTaskFunction {
  (settings: Record<string, unknown>, seed: number): Promise<Record<string, unknown>>;
  /** The settings the task reads. */
  settings?: readonly string[];
  /** Throws (naming the setting) when a task's settings are out of range. */
  check?: (settings: Record<string, unknown>, seed: number) => void;
}

/** The closest name in `names` to `key` (edit distance <= 2), for "did you mean" hints. */
function closest(key: string, names: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length];
  };
  const scored = names.map((n) => [distance(key.toLowerCase(), n.toLowerCase()), n] as const);
  scored.sort((x, y) => x[0] - y[0]);
  return scored.length && scored[0][0] <= 2 ? scored[0][1] : undefined;
}

/**
 * Checks a sweep's grid and `fixed` keys against the settings its task declares, and each task's
 * settings with the task's `check`.
 *
 * @param spec The sweep.
 * @param fn The task function.
 * @param source The spec file, for messages.
 * @throws {TypeError} Naming an undeclared key (and the closest declared one), or a task whose
 *   settings the task refuses; also when the task declares no settings.
 */
export function checkSweepKeys(spec: SweepSpec, fn: SweepTaskFunction, source: string): void {
  const fail = (what: string) => new TypeError(`Cannot use sweep spec ${source}: ${what}`);
  if (!Array.isArray(fn.settings)) {
    throw fail(
      `its task ${spec.task} declares no settings (give the function a "settings" list of the names it ` +
        `reads), so misspelled keys could not be caught`,
    );
  }
  const known = fn.settings;
  for (const [where, keys] of [["grid", Object.keys(spec.grid)], ["fixed", Object.keys(spec.fixed ?? {})]]) {
    for (const key of keys) {
      if (known.includes(key)) continue;
      const near = closest(key, known);
      throw fail(
        `${where} key "${key}" is not a setting of the task${near ? ` (did you mean "${near}"?)` : ""}; ` +
          `its settings are ${known.join(", ")}`,
      );
    }
  }
  if (fn.check) {
    for (const task of expandSweep(spec)) {
      try {
        fn.check(task.settings, task.seed);
      } catch (error) {
        throw fail(`task ${task.index} (${JSON.stringify(task.settings)}): ${(error as Error).message}`);
      }
    }
  }
}

/**
 * Checks a parsed spec, naming what is wrong.
 *
 * @param value The parsed JSON.
 * @param source The spec file, for messages.
 * @returns The spec.
 * @throws {TypeError} On a missing or malformed field.
 */
export function checkSweepSpec(value: unknown, source: string): SweepSpec {
  const fail = (what: string) => new TypeError(`Cannot use sweep spec ${source}: ${what}`);
  if (!value || typeof value !== "object") throw fail("it is not a JSON object");
  const spec = value as Partial<SweepSpec>;
  if (typeof spec.name !== "string" || !/^[A-Za-z0-9_.-]+$/.test(spec.name)) {
    throw fail(`"name" is ${JSON.stringify(spec.name)}, must be letters, digits, _ . -`);
  }
  if (typeof spec.task !== "string" || !/^.+#[A-Za-z_$][\w$]*$/.test(spec.task)) {
    throw fail(`"task" is ${JSON.stringify(spec.task)}, must be "<module path>#<export name>"`);
  }
  if (!spec.grid || typeof spec.grid !== "object" || Array.isArray(spec.grid)) {
    throw fail(`"grid" must be an object`);
  }
  for (const [key, values] of Object.entries(spec.grid)) {
    if (!Array.isArray(values) || values.length === 0) {
      throw fail(`grid "${key}" is ${JSON.stringify(values)}, must be a non-empty array`);
    }
  }
  if (
    !Array.isArray(spec.seeds) || spec.seeds.length === 0 ||
    spec.seeds.some((s) => !Number.isInteger(s) || s < 0 || s >= 2 ** 32)
  ) {
    throw fail(
      `"seeds" is ${JSON.stringify(spec.seeds)}, must be a non-empty array of integers in [0, 2^32)`,
    );
  }
  if (spec.fixed !== undefined && (typeof spec.fixed !== "object" || Array.isArray(spec.fixed))) {
    throw fail(`"fixed" must be an object`);
  }
  return spec as SweepSpec;
}

/**
 * Expands a spec into its tasks (grid order, first key slowest, seeds innermost).
 *
 * @param spec The sweep.
 * @returns The tasks, `index` 0..n-1.
 * @example
 * ```ts
 * import { expandSweep } from "./spec.ts";
 * const tasks = expandSweep({ name: "x", task: "m.ts#f", grid: { lr: [1, 2] }, seeds: [0, 1] });
 * console.log(tasks.map((t) => `${t.settings.lr}/${t.seed}`)); // ["1/0", "1/1", "2/0", "2/1"]
 * ```
 */
export function expandSweep(spec: SweepSpec): SweepTask[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(spec.grid)) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  const tasks: SweepTask[] = [];
  for (const combo of combos) {
    for (const seed of spec.seeds) {
      tasks.push({ index: tasks.length, settings: { ...spec.fixed, ...combo }, seed });
    }
  }
  return tasks;
}
