/**
 * EnhancedSGD (spec seed002) as an optimizer of the library: SGD with heavy-ball momentum whose lr and
 * momentum a Q-learning controller drives from gradient statistics.
 *
 * A step: the gradient statistics on the GPU (kernels/enhanced_sgd: per-tensor means, pooled variance EMA
 * with the jump guard, clip bound, 100-bin histogram and its entropies, loss accumulators; three dispatches,
 * no host wait), Philox noise (`Backend.random`, stream {@linkcode NOISE_STREAM}, counter step = the step),
 * and the fused update (centering, clipping, noise, momentum, optional decoupled weight decay).
 *
 * - Clean mode (default, spec section 1.6): the controller ({@linkcode QController}) runs after every
 *   `controllerEvery`-th update on the means of the statistics since its last call (one host wait per call)
 *   and sets the lr and momentum of the following steps. lr never compounds; bounds never cross.
 * - Faithful mode (ESGD-16, {@linkcode FaithfulController}): the original's order, every step: statistics,
 *   a host wait, spike/state/action/scales/lr/momentum from them, the update, the reward and Q-update (s' = s).
 *
 * On `reference` every step runs the float64 reference (lib/reference/enhanced_sgd.ts) with the same noise.
 * Telemetry: one row per controller call ({@linkcode EsgdTelemetry}) in `telemetry` and to `onTelemetry`.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import type { ReferenceTensor } from "../backend/reference.ts";
import { readBuffer, writeBuffer } from "../gpu/buffers.ts";
import type { GpuTarget } from "../gpu/fused_run.ts";
import {
  createEsgdBuffers,
  decodeState,
  destroyEsgdBuffers,
  encodeEnhancedSgdUpdate,
  encodeGradientStatistics,
  encodeState,
  type EsgdBuffers,
  HISTOGRAM_BINS,
  STATE_BYTES,
  STATE_FIELDS,
} from "../../kernels/enhanced_sgd/enhanced_sgd.ts";
import {
  enhancedSgdUpdateReference,
  type GradientStatistics,
  gradientStatisticsReference,
  initialStatistics,
} from "../reference/enhanced_sgd.ts";
import type { ParameterLayout } from "../models/parameters.ts";
import type { OptimizerState, ParameterOptimizer } from "../optim/optimizer.ts";
import { type EnhancedSgdOptions, type ResolvedEsgd, resolveEnhancedSgd } from "./options.ts";
import type { FaithfulController } from "./faithful.ts";
import type { QController } from "./q_controller.ts";
import {
  cleanCall,
  type EsgdTelemetry,
  faithfulDecide,
  type FaithfulDecided,
  faithfulLearn,
  makeControllers,
} from "./control.ts";
import { NOISE_STREAM, type RandomSource, SeededRandom } from "./random.ts";

export { NOISE_STREAM };
export type { EsgdTelemetry };

/** Test and telemetry hooks of {@linkcode EnhancedSGD}. */
export interface EnhancedSgdHooks {
  /** Called with each telemetry row. */
  onTelemetry?: (row: EsgdTelemetry) => void;
  /** Replaces the seeded controller draws (tests). */
  random?: RandomSource;
}

/** EnhancedSGD over a flat parameter vector. */
export class EnhancedSGD implements ParameterOptimizer {
  readonly backend: Backend;
  readonly layout: ParameterLayout;
  readonly settings: ResolvedEsgd;
  readonly faithful?: FaithfulController;
  readonly clean?: QController;
  /** Every controller call's row. */
  readonly telemetry: EsgdTelemetry[] = [];
  /** Host waits for the statistics, and the seconds they took (the controller's round trips). */
  hostWaits = 0;
  hostWaitSeconds = 0;
  #hooks: EnhancedSgdHooks;
  #random: RandomSource;
  #step = 0;
  #velocity: Tensor;
  #tensors: { begin: number; end: number }[];
  #target: GpuTarget | null;
  #gpu?: EsgdBuffers;
  #stats: GradientStatistics = initialStatistics();
  #means: ArrayLike<number> = new Float64Array(0);
  #reset = true;

  /**
   * @param backend Where the parameters live.
   * @param layout Their layout (each entry is one tensor for centering).
   * @param options Settings (see {@linkcode EnhancedSgdOptions}).
   * @param hooks Telemetry callback, scripted randomness.
   * @throws {TypeError|RangeError} On refused or bad settings (see resolveEnhancedSgd).
   */
  constructor(
    backend: Backend,
    layout: ParameterLayout,
    options: EnhancedSgdOptions = {},
    hooks: EnhancedSgdHooks = {},
  ) {
    this.settings = resolveEnhancedSgd(options);
    this.backend = backend;
    this.layout = layout;
    this.#hooks = hooks;
    const s = this.settings;
    this.#random = hooks.random ?? new SeededRandom(s.seed);
    this.#tensors = layout.views.map((v) => ({ begin: v.offset, end: v.offset + v.size }));
    this.#velocity = backend.zeros([layout.count]);
    const built = makeControllers(s, this.#random);
    this.faithful = built.faithful;
    this.clean = built.clean;
    this.#target = backend.gpuTarget;
    if (this.#target) this.#gpu = createEsgdBuffers(this.#target.gpu, this.#tensors);
  }

  get stepCount(): number {
    return this.#step;
  }

  /** The lr the next step uses (clean), or the lr the last step used (faithful: param_groups[0].lr). */
  get lr(): number {
    return (this.faithful ?? this.clean)!.lr;
  }

  /** The momentum the next step uses (clean) or the last step used (faithful). */
  get momentum(): number {
    return (this.faithful ?? this.clean)!.momentum;
  }

  /** The statistics of the last step (a host wait on webgpu). */
  async statistics(): Promise<GradientStatistics> {
    if (!this.#gpu) return { ...this.#stats };
    return await this.#readState();
  }

  async #readState(): Promise<GradientStatistics> {
    const target = this.#target!;
    const t0 = performance.now();
    target.recorder.flush();
    const state = decodeState(await readBuffer(target.gpu, this.#gpu!.state, 0, STATE_BYTES));
    this.hostWaits++;
    this.hostWaitSeconds += (performance.now() - t0) / 1000;
    return state;
  }

  #epoch(step: number): number {
    const per = this.settings.stepsPerEpoch;
    return per > 0 ? Math.floor((step - 1) / per) : 0;
  }

  /**
   * One EnhancedSGD step. `loss` (a one-element tensor) feeds the controller; without it the controller does
   * not run (as in the original without a closure) and the lr and momentum stay as they are.
   *
   * @throws {RangeError} When a tensor does not fit the layout.
   */
  async step(params: Tensor, gradient: Tensor, loss?: Tensor): Promise<void> {
    this.layout.check(params, "parameters");
    this.layout.check(gradient, "gradient");
    const s = this.settings, t = this.#step + 1, faithful = s.mode === "faithful";
    const statistics = {
      smoothing: s.smoothingFactor,
      guard: s.stabilizingFactor,
      clipping: s.gradientClipping,
      clipKappa: s.clipKappa,
      clipMin: s.clipMin,
      clipMax: s.clipMax,
      biasCorrection: faithful ? 1 : 1 / (1 - (1 - s.smoothingFactor) ** t),
      reset: this.#reset,
    };
    this.#reset = false;
    const data = (x: Tensor) => (x as ReferenceTensor).data as Float64Array;
    if (this.#gpu) {
      await encodeGradientStatistics(
        this.#target!.recorder,
        this.#gpu,
        gradient.buffer!,
        loss?.buffer,
        statistics,
      );
    } else {
      const r = gradientStatisticsReference(
        data(gradient),
        this.#tensors,
        this.#stats,
        loss ? data(loss)[0] : undefined,
        {
          ...statistics,
          bins: HISTOGRAM_BINS,
        },
      );
      this.#stats = r.state;
      this.#means = r.means;
    }
    const epoch = this.#epoch(t);
    let lr = this.lr, momentum = this.momentum;
    let decided: FaithfulDecided | undefined;
    let observed: GradientStatistics | undefined;
    if (faithful && loss) {
      observed = this.#gpu ? await this.#readState() : this.#stats;
      decided = faithfulDecide(this.faithful!, observed, epoch + 1);
      lr = decided.lr;
      momentum = decided.momentum;
    }
    const noise = s.applyNoise && s.noiseScale > 0
      ? await this.backend.random([1, this.layout.count], { seed: s.seed, stream: NOISE_STREAM, step: t })
      : undefined;
    const scalars = {
      lr,
      momentum,
      centering: s.gradientCentering,
      noiseScale: s.noiseScale,
      decay: 1 - lr * s.weightDecay,
    };
    if (this.#gpu) {
      await encodeEnhancedSgdUpdate(this.#target!.recorder, this.#gpu, {
        weights: params.buffer!,
        gradient: gradient.buffer!,
        velocity: this.#velocity.buffer!,
      }, { ...scalars, noise: noise?.buffer });
    } else {
      enhancedSgdUpdateReference(
        data(params),
        data(gradient),
        data(this.#velocity),
        this.#means,
        this.#tensors,
        {
          ...scalars,
          clip: this.#stats.clip,
          noise: noise ? data(noise) : undefined,
        },
      );
    }
    if (noise) this.backend.dispose(noise);
    this.#step = t;
    if (decided && observed) {
      this.#emit(faithfulLearn(this.faithful!, decided, observed, t, epoch + 1));
    } else if (!faithful && loss && t % s.controllerEvery === 0) {
      const st = this.#gpu ? await this.#readState() : this.#stats;
      this.#emit(cleanCall(this.clean!, st, t, epoch));
      this.#reset = true;
    }
  }

  #emit(row: EsgdTelemetry): void {
    this.telemetry.push(row);
    this.#hooks.onTelemetry?.(row);
  }

  async exportState(): Promise<OptimizerState> {
    const velocity = ((await this.backend.read(this.#velocity)) as Float32Array | Float64Array).slice();
    const stats = this.#gpu ? await this.#readState() : this.#stats;
    const controller = JSON.stringify({
      controller: (this.faithful ?? this.clean)!.toJSON(),
      reset: this.#reset,
      drawn: this.#random instanceof SeededRandom ? this.#random.drawn : null,
    });
    return {
      step: this.#step,
      arrays: {
        velocity,
        statistics: Float64Array.from(STATE_FIELDS, (k) => stats[k]),
        controller: Float64Array.from(controller, (ch) => ch.charCodeAt(0)),
      },
    };
  }

  /** @throws {RangeError} When the state is not an EnhancedSGD state of this layout. */
  importState(state: OptimizerState): void {
    const { velocity, statistics, controller } = state.arrays;
    if (!velocity || !statistics || !controller || velocity.length !== this.layout.count) {
      throw new RangeError(
        `Cannot import EnhancedSGD state: it needs "velocity" (${this.layout.count}), "statistics" and "controller"`,
      );
    }
    const parsed = JSON.parse(Array.from(controller, (code) => String.fromCharCode(code)).join(""));
    (this.faithful ?? this.clean)!.restore(parsed.controller);
    this.#reset = parsed.reset;
    if (this.#random instanceof SeededRandom && parsed.drawn !== null) this.#random.drawn = parsed.drawn;
    const stats = Object.fromEntries(
      STATE_FIELDS.map((k, i) => [k, statistics[i]]),
    ) as unknown as GradientStatistics;
    if (this.#gpu) {
      const target = this.#target!;
      target.recorder.flush();
      writeBuffer(target.gpu, this.#velocity.buffer!, Float32Array.from(velocity));
      writeBuffer(target.gpu, this.#gpu.state, encodeState(stats));
    } else {
      ((this.#velocity as ReferenceTensor).data as Float64Array).set(velocity);
      this.#stats = stats;
    }
    this.#step = state.step;
  }

  /** Zeroes the momentum buffer (Lookahead's reset option). */
  async resetState(): Promise<void> {
    await this.backend.fill(this.#velocity, 0);
  }

  describe(): Record<string, string | number | boolean | null> {
    const out: Record<string, string | number | boolean | null> = {
      optimizer: `enhanced_sgd_${this.settings.mode}`,
    };
    for (const [k, v] of Object.entries(this.settings)) {
      out[`esgd.${k}`] = Array.isArray(v) ? v.join(",") : v as number;
    }
    return out;
  }

  dispose(): void {
    this.backend.dispose(this.#velocity);
    if (this.#gpu) destroyEsgdBuffers(this.#gpu);
  }
}
