/**
 * Run directories: everything one run produced, readable without the toolkit.
 *
 * ```
 * <run>/config.json     every parameter, seed, backend, adapter, toolkit version, git commit
 * <run>/metrics.jsonl   streamed rows (see metrics.ts)
 * <run>/<name>.npy      arrays, readable by numpy.load
 * <run>/checkpoint.ckpt latest checkpoint of a long run (see ../checkpoint.ts)
 * <run>/done.json       written last: its presence is what marks the run complete
 * <run>/failed.json     instead of done.json when the run ended without a meaningful result
 * ```
 *
 * Every file except `metrics.jsonl` is written atomically (temporary name, then rename),
 * so an interrupted run never leaves a file that looks complete, and a run without
 * `done.json` is known to be unfinished (resume it or delete it). A run directory belongs to one
 * process: {@linkcode RunDir.create} claims it by publishing `config.json` with a hard link, which
 * fails when the name exists, so of two runs started into one directory exactly one proceeds.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { DataError, UsageError } from "../exit_codes.ts";
import { writeJsonAtomic } from "./atomic.ts";
import { MetricsWriter } from "./metrics.ts";
import { type NpyArray, type NpyData, readNpy, writeNpy } from "./npy.ts";
import { gitCommit, TOOLKIT_VERSION } from "./provenance.ts";

/** Contents of `config.json`. */
export interface RunConfig {
  /** What ran, e.g. the script's name. */
  name: string;
  /** Every parameter of the run. */
  parameters: Record<string, unknown>;
  /** The seed. */
  seed: number;
  /** Backend name (`"webgpu"` or `"reference"`). */
  backend: string;
  /** The WebGPU adapter's description, or null on the reference backend. */
  adapter: string | null;
  /** The toolkit's version (deno.json). */
  toolkitVersion: string;
  /** The git commit of the toolkit checkout, or null when unknown. */
  gitCommit: string | null;
  /** Deno's version. */
  deno: string;
  /** The command line, when known. */
  command: string[] | null;
  /** ISO time of creation. */
  createdAt: string;
}

/** What {@linkcode RunDir.create} records about a run. */
export interface RunInfo {
  name: string;
  parameters: Record<string, unknown>;
  seed: number;
  /** The backend in use, or its name. */
  backend: Backend | string;
  /** The command line (default: the script and `Deno.args` when readable). */
  command?: string[];
  /** Whether the script can continue an unfinished run (`--resume`): only then does a refusal suggest it. */
  resumable?: boolean;
}

/** The file whose presence marks a run complete. */
export const DONE_FILE = "done.json";

/** The file that labels a run that ended without a meaningful result (see {@linkcode RunDir.fail}). */
export const FAILED_FILE = "failed.json";

let claims = 0;
const CLAIM_PREFIX = ".config.json.claim-";

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

/**
 * Why `path` cannot take a new run, in words that say what to do (a usage error: choose another
 * `--out`, or resume, or delete).
 */
async function occupiedError(path: string, resumable: boolean): Promise<UsageError> {
  const prefix = `Cannot create run directory ${path}: it is not empty`;
  if (await exists(`${path}/${DONE_FILE}`)) {
    return new UsageError(`${prefix}, it holds a complete run (${DONE_FILE}); choose another --out`);
  }
  const failed = await Deno.readTextFile(`${path}/${FAILED_FILE}`).then((t) => JSON.parse(t), () => null);
  if (failed) {
    return new UsageError(
      `${prefix}, it holds a failed run (${FAILED_FILE}: ${failed.reason ?? "no reason"}); ` +
        `delete it or choose another --out`,
    );
  }
  const names = [...Deno.readDirSync(path)].map((e) => e.name);
  if (names.some((n) => n === "config.json" || n.startsWith(CLAIM_PREFIX))) {
    return new UsageError(
      resumable
        ? `${prefix}, it holds an unfinished run (running now, or stopped); if it stopped, continue it ` +
          `with --resume ${path}; otherwise choose another --out`
        : `${prefix}, it holds an unfinished run (no ${DONE_FILE}); delete it or choose another --out`,
    );
  }
  return new UsageError(`${prefix}; choose another --out`);
}

function defaultCommand(): string[] | null {
  try {
    return [new URL(Deno.mainModule).pathname, ...Deno.args];
  } catch {
    return null;
  }
}

/** A run directory (see the module doc). */
export class RunDir {
  /** The directory. */
  readonly path: string;
  /** The contents of its `config.json`. */
  readonly config: RunConfig;

  #created: boolean;

  private constructor(path: string, config: RunConfig, created = false) {
    this.path = path;
    this.config = config;
    this.#created = created;
  }

  /**
   * Creates a run directory and writes `config.json`, claiming the directory for this process.
   *
   * The directory must not exist yet or be empty (a run is never overwritten). `config.json` is
   * written under a temporary name and published with a hard link, which fails when the name
   * exists: of several processes creating the same directory at once, exactly one succeeds.
   *
   * @param path The directory.
   * @param info The run's name, parameters, seed and backend, and whether the script resumes.
   * @returns The run directory.
   * @throws {UsageError} When `path` is empty or holds files already (saying what they are and what to do).
   * @throws {Error} When the directory cannot be created.
   */
  static async create(path: string, info: RunInfo): Promise<RunDir> {
    if (typeof path !== "string" || path.trim() === "") {
      throw new UsageError("Cannot create run directory: the path is empty; give --out a directory");
    }
    const existed = await exists(path);
    try {
      await Deno.mkdir(path, { recursive: true });
    } catch (error) {
      // The path given cannot hold a directory (a file in the way, no permission): choose another.
      throw new UsageError(
        `Cannot create run directory ${path}: ${(error as Error).message}; choose another --out`,
      );
    }
    for await (const _ of Deno.readDir(path)) throw await occupiedError(path, info.resumable ?? false);
    const backend = typeof info.backend === "string" ? info.backend : info.backend.name;
    const adapter = typeof info.backend === "string"
      ? null
      : info.backend.gpuTarget?.gpu.facts.description ?? null;
    const config: RunConfig = {
      name: info.name,
      parameters: info.parameters,
      seed: info.seed,
      backend,
      adapter,
      toolkitVersion: TOOLKIT_VERSION,
      gitCommit: gitCommit(),
      deno: Deno.version.deno,
      command: info.command ?? defaultCommand(),
      createdAt: new Date().toISOString(),
    };
    const claim = `${path}/${CLAIM_PREFIX}${Deno.pid}-${++claims}`;
    await writeJsonAtomic(claim, config);
    try {
      await Deno.link(claim, `${path}/config.json`);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) {
        throw await occupiedError(path, info.resumable ?? false);
      }
      throw new Error(`Cannot create run directory ${path}: ${(error as Error).message}`, { cause: error });
    } finally {
      await Deno.remove(claim).catch(() => {});
    }
    return new RunDir(path, config, !existed);
  }

  /**
   * Removes what this run wrote (the directory itself when {@linkcode create} made it): for a run that
   * failed before it produced anything worth keeping, so that it does not block the next run.
   */
  async discard(): Promise<void> {
    if (this.#created) {
      await Deno.remove(this.path, { recursive: true }).catch(() => {});
      return;
    }
    for await (const entry of Deno.readDir(this.path)) {
      await Deno.remove(`${this.path}/${entry.name}`, { recursive: true }).catch(() => {});
    }
  }

  /**
   * Labels the run as failed by writing `failed.json` (atomically; `done.json` is never written):
   * its partial results stay, and a later run into the same directory is refused, naming the reason.
   *
   * @param reason One line: what went wrong.
   * @param details Numbers to record (the step it failed at, the last finite values).
   */
  async fail(reason: string, details: Record<string, unknown> = {}): Promise<void> {
    await writeJsonAtomic(this.file(FAILED_FILE), { failedAt: new Date().toISOString(), reason, ...details });
  }

  /**
   * Opens an existing run directory (to resume it or read its results).
   *
   * @param path The directory.
   * @returns The run directory.
   * @throws {Error} When `config.json` is missing or unreadable.
   */
  static async open(path: string): Promise<RunDir> {
    let text: string;
    try {
      text = await Deno.readTextFile(`${path}/config.json`);
    } catch (error) {
      throw new UsageError(
        `Cannot open run directory ${path}: no readable config.json (${
          error instanceof Deno.errors.NotFound ? "it does not exist" : (error as Error).message
        }); is it a run directory?`,
      );
    }
    try {
      return new RunDir(path, JSON.parse(text) as RunConfig);
    } catch (error) {
      throw new DataError(
        `Cannot open run directory ${path}: config.json is not JSON (${(error as Error).message})`,
      );
    }
  }

  /** The path of a file in the run directory. */
  file(name: string): string {
    return `${this.path}/${name}`;
  }

  /** Opens `metrics.jsonl` for appending. */
  metrics(): Promise<MetricsWriter> {
    return MetricsWriter.open(this.file("metrics.jsonl"));
  }

  /** Writes `<name>.npy` atomically. */
  writeArray(name: string, array: NpyArray, shape?: readonly number[]): Promise<void> {
    return writeNpy(this.file(`${name}.npy`), array, shape);
  }

  /** Reads `<name>.npy`. */
  readArray(name: string): Promise<NpyData> {
    return readNpy(this.file(`${name}.npy`));
  }

  /** Writes `<name>` (a file name ending in `.json`) atomically. */
  writeJson(name: string, value: unknown): Promise<void> {
    return writeJsonAtomic(this.file(name), value);
  }

  /** Whether `done.json` exists. */
  async isComplete(): Promise<boolean> {
    return await isCompleteRun(this.path);
  }

  /**
   * Marks the run complete by writing `done.json` (last, atomically).
   *
   * @param summary Numbers to record with the completion time (walltime, final values).
   */
  async complete(summary: Record<string, unknown> = {}): Promise<void> {
    await writeJsonAtomic(this.file(DONE_FILE), { completedAt: new Date().toISOString(), ...summary });
  }
}

/** Whether `path` is a run directory labelled failed (holds `failed.json`). */
export async function isFailedRun(path: string): Promise<boolean> {
  return await exists(`${path}/${FAILED_FILE}`);
}

/** Whether `path` is a run directory marked complete (holds `done.json`). */
export async function isCompleteRun(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(`${path}/${DONE_FILE}`)).isFile;
  } catch {
    return false;
  }
}
