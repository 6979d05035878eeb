/**
 * Run directories: everything one run produced, readable without the toolkit.
 *
 * ```
 * <run>/config.json     every parameter, seed, backend, adapter, toolkit version, git commit
 * <run>/metrics.jsonl   streamed rows (see metrics.ts)
 * <run>/<name>.npy      arrays, readable by numpy.load
 * <run>/checkpoint.ckpt latest checkpoint of a long run (see ../checkpoint.ts)
 * <run>/done.json       written last: its presence is what marks the run complete
 * ```
 *
 * Every file except `metrics.jsonl` is written atomically (temporary name, then rename),
 * so an interrupted run never leaves a file that looks complete, and a run without
 * `done.json` is known to be unfinished (resume it or delete it).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
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
}

/** The file whose presence marks a run complete. */
export const DONE_FILE = "done.json";

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

  private constructor(path: string, config: RunConfig) {
    this.path = path;
    this.config = config;
  }

  /**
   * Creates a run directory and writes `config.json`.
   *
   * @param path The directory; it must not exist yet or be empty (a run is never overwritten).
   * @param info The run's name, parameters, seed and backend.
   * @returns The run directory.
   * @throws {Error} When `path` holds files already (naming `--resume`), or cannot be created.
   */
  static async create(path: string, info: RunInfo): Promise<RunDir> {
    try {
      await Deno.mkdir(path, { recursive: true });
    } catch (error) {
      throw new Error(`Cannot create run directory ${path}: ${(error as Error).message}`, { cause: error });
    }
    for await (const _ of Deno.readDir(path)) {
      throw new Error(
        `Cannot create run directory ${path}: it is not empty (use --resume ${path} to continue that run, ` +
          `or choose another --out)`,
      );
    }
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
    await writeJsonAtomic(`${path}/config.json`, config);
    return new RunDir(path, config);
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
      throw new Error(
        `Cannot open run directory ${path}: no readable config.json (${(error as Error).message})`,
      );
    }
    try {
      return new RunDir(path, JSON.parse(text) as RunConfig);
    } catch (error) {
      throw new Error(
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

/** Whether `path` is a run directory marked complete (holds `done.json`). */
export async function isCompleteRun(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(`${path}/${DONE_FILE}`)).isFile;
  } catch {
    return false;
  }
}
