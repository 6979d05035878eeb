/**
 * Optimizers over a model's flat parameter vector ({@linkcode ParameterLayout}): SGD, heavy-ball and Nesterov
 * momentum, Adam and AdamW, with parameter groups, weight decay, global-norm clipping and a schedule.
 *
 * On `webgpu` a step is one fused dispatch over all parameters (three with clipping: the norm is reduced on
 * the GPU, never read by the host) and never waits for the GPU; on `reference` it runs the float64 oracle
 * (lib/reference/optim.ts) on the same settings. Both keep their state (momentum, Adam's moments, the step
 * count) for checkpoints: {@linkcode Optimizer.exportState} / {@linkcode Optimizer.importState}.
 *
 * @example
 * ```ts
 * import { ReferenceBackend } from "../backend/reference.ts";
 * import { ParameterLayout } from "../models/parameters.ts";
 * import { Optimizer } from "./optimizer.ts";
 * const backend = new ReferenceBackend();
 * const layout = new ParameterLayout([{ name: "w", shape: [2] }, { name: "b", shape: [1] }]);
 * const opt = new Optimizer(backend, layout, { kind: "adamw", lr: 1e-3, groups: [{ names: "b", weightDecay: 0 }] });
 * const params = backend.tensor([1, 2, 3]), gradient = backend.tensor([0.1, -0.2, 0.3]);
 * await opt.step(params, gradient);
 * ```
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { ReferenceTensor } from "../backend/reference.ts";
import { createBuffer, readBuffer, writeBuffer } from "../gpu/buffers.ts";
import { encodeOptimizerUpdate, stateVectorCount, uploadTileTable } from "../../kernels/optim/optim.ts";
import { encodeGradientNormSquared, normPartialCount } from "../../kernels/optim/companions.ts";
import type { ParameterLayout } from "../models/parameters.ts";
import { optimizerStepReference } from "../reference/optim.ts";
import {
  foldGroupScalars,
  type OptimizerOptions,
  referenceSegments,
  type ResolvedOptimizer,
  resolveOptimizer,
} from "./hyperparameters.ts";
import type { Schedule } from "./schedules.ts";

/** An optimizer's state for a checkpoint: steps taken and its state vectors by name. */
export interface OptimizerState {
  step: number;
  arrays: Record<string, Float32Array | Float64Array>;
}

/** What a training loop needs of an optimizer ({@linkcode Optimizer} and `Lookahead` provide it). */
export interface ParameterOptimizer {
  readonly layout: ParameterLayout;
  /** Steps taken. */
  readonly stepCount: number;
  /**
   * One update of `params` from `gradient` (no host wait on webgpu); `loss` (this batch's loss, one element)
   * is for optimizers that use it (EnhancedSGD's controller), others ignore it.
   */
  step(params: Tensor, gradient: Tensor, loss?: Tensor): Promise<void>;
  /** The state (one host wait on webgpu). */
  exportState(): Promise<OptimizerState>;
  /** Restores a state from {@linkcode exportState}. */
  importState(state: OptimizerState): void;
  /** Settings that a resumed run must share, for a checkpoint's fingerprint. */
  describe(): Record<string, string | number | boolean | null>;
  dispose(): void;
}

const STATE_NAMES = ["first", "second"] as const;

/** A fused optimizer over a flat parameter vector. */
export class Optimizer implements ParameterOptimizer {
  /** Where the parameters and the optimizer's state live. */
  readonly backend: Backend;
  /** The parameters' layout (groups are matched against its view names). */
  readonly layout: ParameterLayout;
  /** The validated settings and groups. */
  readonly settings: ResolvedOptimizer;
  /** The lr factor as a function of the step (constant 1 by default). */
  readonly schedule?: Schedule;
  #step = 0;
  #state: Tensor[];
  #gpu?: {
    tiles: GPUBuffer;
    tileCount: number;
    partials?: GPUBuffer;
    normSquared?: GPUBuffer;
    partialCount: number;
  };
  #lastNorm = NaN;

  /**
   * @param backend Where the parameters live.
   * @param layout Their layout.
   * @param options Kind, hyperparameters, groups, clipping.
   * @param schedule A factor of every group's lr by step (see lib/optim/schedules.ts).
   * @throws {TypeError|RangeError} On bad settings (see {@linkcode resolveOptimizer}).
   */
  constructor(backend: Backend, layout: ParameterLayout, options: OptimizerOptions, schedule?: Schedule) {
    this.settings = resolveOptimizer(layout, options);
    this.backend = backend;
    this.layout = layout;
    this.schedule = schedule;
    const states = stateVectorCount(this.settings.rule);
    this.#state = Array.from({ length: states }, () => backend.zeros([layout.count]));
    if (backend.gpuTarget) {
      const gpu = backend.gpuTarget.gpu;
      const { buffer: tiles, tileCount } = uploadTileTable(gpu, this.settings.segments);
      const partialCount = normPartialCount(gpu, layout.count);
      this.#gpu = { tiles, tileCount, partialCount };
      if (this.settings.maxGradNorm !== undefined) {
        this.#gpu.partials = createBuffer(gpu, partialCount * 4, "optim norm partials");
        this.#gpu.normSquared = createBuffer(gpu, 4, "optim norm squared");
      }
    }
  }

  /** Steps taken. */
  get stepCount(): number {
    return this.#step;
  }

  /** The lr factor the next step uses. */
  get lrFactor(): number {
    return this.schedule ? this.schedule(this.#step) : 1;
  }

  /**
   * Updates `params` in place from `gradient` (records the work on webgpu; no host wait).
   *
   * @throws {RangeError} When a tensor does not fit the layout or the schedule gives a bad factor.
   */
  async step(params: Tensor, gradient: Tensor): Promise<void> {
    this.layout.check(params, "parameters");
    this.layout.check(gradient, "gradient");
    const factor = this.lrFactor;
    if (!(Number.isFinite(factor) && factor >= 0)) {
      throw new RangeError(
        `Cannot step optimizer: the schedule gives lr factor ${factor} at step ${this.#step}`,
      );
    }
    const step = this.#step + 1;
    const target = this.backend.gpuTarget;
    if (!target) {
      const data = (t: Tensor) => (t as ReferenceTensor).data as Float64Array;
      const empty = new Float64Array(0);
      this.#lastNorm = optimizerStepReference({
        kind: this.settings.kind,
        decoupledWeightDecay: this.settings.decoupledWeightDecay,
        params: data(params),
        gradient: data(gradient),
        first: this.#state[0] ? data(this.#state[0]) : empty,
        second: this.#state[1] ? data(this.#state[1]) : empty,
        step,
        segments: referenceSegments(this.settings),
        lrFactor: factor,
        maxGradNorm: this.settings.maxGradNorm,
      });
    } else {
      const rec = target.recorder;
      const buffer = (t: Tensor, what: string) => {
        if (!t.buffer) throw new TypeError(`Cannot step optimizer: ${what} is not a webgpu tensor`);
        return t.buffer;
      };
      const gpu = this.#gpu!;
      const gradientBuffer = buffer(gradient, "gradient");
      if (gpu.normSquared) {
        await encodeGradientNormSquared(rec, {
          gradient: gradientBuffer,
          size: this.layout.count,
          partials: gpu.partials!,
          partialCount: gpu.partialCount,
          out: gpu.normSquared,
        });
      }
      await encodeOptimizerUpdate(rec, {
        rule: this.settings.rule,
        weights: buffer(params, "parameters"),
        gradient: gradientBuffer,
        first: this.#state[0] ? buffer(this.#state[0], "state") : undefined,
        second: this.#state[1] ? buffer(this.#state[1], "state") : undefined,
        tiles: gpu.tiles,
        tileCount: gpu.tileCount,
        groups: this.settings.groups.map((h) => foldGroupScalars(this.settings, h, factor, step)),
        firstStep: step === 1,
        clip: gpu.normSquared
          ? { normSquared: gpu.normSquared, maxNorm: this.settings.maxGradNorm! }
          : undefined,
      });
    }
    this.#step = step;
  }

  /**
   * The global gradient norm of the last step, before clipping (a host wait on webgpu; NaN before the first
   * step, and on webgpu without clipping, where it is not computed).
   */
  async lastGradNorm(): Promise<number> {
    const target = this.backend.gpuTarget;
    if (!target || !this.#gpu?.normSquared || this.#step === 0) return this.#lastNorm;
    target.recorder.flush();
    return Math.sqrt(new Float32Array(await readBuffer(target.gpu, this.#gpu.normSquared, 0, 4))[0]);
  }

  /** Zeroes the momentum and moment vectors (Lookahead's reset option); the step count is kept. */
  async resetState(): Promise<void> {
    for (const t of this.#state) await this.backend.fill(t, 0);
  }

  async exportState(): Promise<OptimizerState> {
    const arrays: OptimizerState["arrays"] = {};
    const values = await Promise.all(this.#state.map((t) => this.backend.read(t)));
    values.forEach((v, k) => arrays[STATE_NAMES[k]] = (v as Float32Array | Float64Array).slice());
    return { step: this.#step, arrays };
  }

  /**
   * @throws {RangeError} When the state has other vectors or sizes than this optimizer keeps.
   */
  importState(state: OptimizerState): void {
    if (!(Number.isInteger(state.step) && state.step >= 0)) {
      throw new RangeError(`Cannot import optimizer state: step is ${state.step}, must be an integer >= 0`);
    }
    const expected = STATE_NAMES.slice(0, this.#state.length);
    const names = Object.keys(state.arrays).sort();
    if (names.join(",") !== [...expected].sort().join(",")) {
      throw new RangeError(
        `Cannot import optimizer state: it has vectors [${
          names.join(", ")
        }], "${this.settings.kind}" keeps ` +
          `[${expected.join(", ")}]`,
      );
    }
    expected.forEach((name, k) => {
      const values = state.arrays[name];
      if (values.length !== this.layout.count) {
        throw new RangeError(
          `Cannot import optimizer state: "${name}" has ${values.length} values, the layout ${this.layout.count}`,
        );
      }
      const tensor = this.#state[k], gpuTarget = this.backend.gpuTarget;
      if (tensor instanceof ReferenceTensor) (tensor.data as Float64Array).set(values);
      else if (gpuTarget && tensor.buffer) {
        gpuTarget.recorder.flush();
        writeBuffer(gpuTarget.gpu, tensor.buffer, Float32Array.from(values));
      }
    });
    this.#step = state.step;
  }

  describe(): Record<string, string | number | boolean | null> {
    const s = this.settings;
    const out: Record<string, string | number | boolean | null> = {
      optimizer: s.kind,
      decoupledWeightDecay: s.decoupledWeightDecay,
      maxGradNorm: s.maxGradNorm ?? null,
      groups: JSON.stringify({ groups: s.groups, segments: s.segments }),
    };
    return out;
  }

  dispose(): void {
    this.backend.dispose(...this.#state);
    this.#state = [];
    this.#gpu?.tiles.destroy();
    this.#gpu?.partials?.destroy();
    this.#gpu?.normSquared?.destroy();
  }
}
