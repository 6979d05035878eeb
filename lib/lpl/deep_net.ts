/**
 * A layer-local conv net trained with paper LPL (LPL-02, 06, 07; paper Fig. 3 at small scale): blocks
 * conv3x3 (padding 1) -> ReLU -> optional 2x2 max-pool, each trained on its own objective on the
 * global-average-pooled output of two views (lib/lpl/conv_rule.ts), the input of block l + 1 being block l's
 * output as a plain tensor (stop-gradient: nothing is ever propagated between blocks). Each block's
 * weights and biases step with their own optimizer (lib/optim: Adam as in the paper's code by default, or
 * SGD), weight decay on the weights only. Options: the ablations (coefficients), stale estimates, shuffled
 * positives. The default spec is the 4-block net of the quick figure; {@linkcode VGG11_SPEC} is the paper's.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { ParameterLayout } from "../models/parameters.ts";
import { tensorView } from "../models/tensor_views.ts";
import { Optimizer } from "../optim/optimizer.ts";
import type { OptimizerKind } from "../optim/hyperparameters.ts";
import { PhiloxStream } from "../rng/philox.ts";
import {
  disposeLplConvForward,
  lplConvForward,
  lplConvGradient,
  lplConvOutputSize,
  type LplConvRuleOptions,
  type LplConvShape,
} from "./conv_rule.ts";

/** The architecture: input size and, per block, output channels and whether it pools. */
export interface LplConvNetSpec {
  inChannels: number;
  height: number;
  width: number;
  channels: readonly number[];
  pool: readonly boolean[];
}

/** The quick-scale net for 1 x 28 x 28 images: 16/32/64/64 channels, pooling after blocks 1-3. */
export const SMALL_CONV_SPEC: LplConvNetSpec = {
  inChannels: 1,
  height: 28,
  width: 28,
  channels: [16, 32, 64, 64],
  pool: [true, true, true, false],
};

/** VGG-11's conv stack on 3 x 32 x 32 images (spec 3.2): pooling after blocks 1, 2, 4, 6, 8. */
export const VGG11_SPEC: LplConvNetSpec = {
  inChannels: 3,
  height: 32,
  width: 32,
  channels: [64, 128, 256, 256, 512, 512, 512, 512],
  pool: [true, true, false, true, false, true, false, true],
};

/** Options of {@linkcode LplConvNet}. */
export interface LplConvNetOptions extends LplConvRuleOptions {
  /** Seed of the initial weights and the shuffles. */
  seed: number;
  /** `"adam"` (default, the paper's code) or `"sgd"`. */
  optimizer?: OptimizerKind;
  /** One learning rate for every block, or one per block (e.g. {@linkcode fanInScaledLearningRates}). */
  learningRate: number | readonly number[];
  /** On the weights only (the paper: 1.5e-6); 0 by default. */
  weightDecay?: number;
  /** Use the previous batch's mean and variance in the Hebbian term (from the second step on). */
  staleEstimates?: boolean;
  /** Pair each past view with the current view of another sample (a seeded permutation per step). */
  shufflePositives?: boolean;
  /**
   * The data set's pixel mean and standard deviation: the net sees (x - mean) / std, in training (after
   * the augmentations, which work on [0, 1] images) and in {@linkcode LplConvNet.features}, as the
   * paper's views end with the data set's normalisation (spec 3.2). None by default (the net sees x).
   */
  inputNormalization?: { mean: number; std: number };
}

interface Block {
  /** The block's shape at batch 1 (the batch is set per call). */
  shape: LplConvShape;
  weight: Tensor;
  bias: Tensor;
  weightOptimizer: Optimizer;
  biasOptimizer: Optimizer;
  stale?: Tensor;
}

/** The block shapes of a spec (batch 1). */
export function lplConvNetShapes(spec: LplConvNetSpec): LplConvShape[] {
  if (spec.channels.length === 0 || spec.channels.length !== spec.pool.length) {
    throw new RangeError(
      `Cannot build an LPL conv net: ${spec.channels.length} channel counts and ${spec.pool.length} pool flags`,
    );
  }
  const shapes: LplConvShape[] = [];
  let c = spec.inChannels, h = spec.height, w = spec.width;
  for (let l = 0; l < spec.channels.length; l++) {
    const shape: LplConvShape = {
      batch: 1,
      inChannels: c,
      outChannels: spec.channels[l],
      height: h,
      width: w,
      kernelSize: 3,
      padding: 1,
      pool: spec.pool[l],
    };
    const out = lplConvOutputSize(shape);
    shapes.push(shape);
    c = spec.channels[l];
    h = out.height;
    w = out.width;
  }
  return shapes;
}

/**
 * Per-block learning rates lr sqrt(fanIn_1 / fanIn_l): with Adam, whose steps are about lr per weight
 * whatever the gradient's scale, every block then moves by the same fraction of its initial weight scale
 * 1/sqrt(fan_in) per step (with one lr, a 32 -> 32 block (fan-in 288) moves about 6 times faster relative
 * to its weights than a 1 -> 8 block (fan-in 9)). Block 1 gets `learningRate` itself.
 */
export function fanInScaledLearningRates(spec: LplConvNetSpec, learningRate: number): number[] {
  const fanIns = lplConvNetShapes(spec).map((s) => s.inChannels * s.kernelSize * s.kernelSize);
  return fanIns.map((f) => learningRate * Math.sqrt(fanIns[0] / f));
}

/** U(-1/sqrt(fan_in), 1/sqrt(fan_in)) on the backend (PyTorch's Conv2d default for weights and biases). */
async function uniformInit(
  backend: Backend,
  shape: number[],
  fanIn: number,
  seed: number,
  stream: number,
): Promise<Tensor> {
  const size = shape.reduce((a, b) => a * b, 1);
  const t = tensorView(await backend.random([size], { seed, stream, distribution: "uniform" }), shape);
  const bound = 1 / Math.sqrt(fanIn), shift = backend.zeros(shape);
  await backend.scale(t, 2 * bound);
  await backend.fill(shift, -bound);
  await backend.axpy(1, shift, t);
  backend.dispose(shift);
  return t;
}

/** A conv net whose blocks learn layer-locally with LPL. */
export class LplConvNet {
  readonly blocks: readonly Block[];
  #steps = 0;

  private constructor(
    readonly backend: Backend,
    readonly spec: LplConvNetSpec,
    readonly options: LplConvNetOptions,
    blocks: Block[],
  ) {
    this.blocks = blocks;
  }

  /** A net with freshly drawn weights (streams 2l and 2l + 1 for block l's weight and bias). */
  static async create(
    backend: Backend,
    spec: LplConvNetSpec,
    options: LplConvNetOptions,
  ): Promise<LplConvNet> {
    const blocks: Block[] = [];
    const shapes = lplConvNetShapes(spec), rates = options.learningRate;
    if (typeof rates !== "number" && rates.length !== shapes.length) {
      throw new RangeError(
        `Cannot build an LPL conv net: ${rates.length} learning rates for ${shapes.length} blocks`,
      );
    }
    for (const [l, shape] of shapes.entries()) {
      const lr = typeof rates === "number" ? rates : rates[l];
      const { inChannels: ci, outChannels: co, kernelSize: k } = shape, fanIn = ci * k * k;
      const weight = await uniformInit(backend, [co, ci, k, k], fanIn, options.seed, 2 * l);
      const bias = await uniformInit(backend, [co], fanIn, options.seed, 2 * l + 1);
      const kind = options.optimizer ?? "adam";
      const make = (name: string, shape: number[], weightDecay: number) =>
        new Optimizer(backend, new ParameterLayout([{ name, shape }]), {
          kind,
          lr,
          weightDecay,
        });
      blocks.push({
        shape,
        weight,
        bias,
        weightOptimizer: make("weight", [co, ci, k, k], options.weightDecay ?? 0),
        biasOptimizer: make("bias", [co], 0),
      });
    }
    return new LplConvNet(backend, spec, options, blocks);
  }

  /** Steps taken. */
  get steps(): number {
    return this.#steps;
  }

  /** Output channels of each block (the dimension of its GAP features). */
  get featureSizes(): number[] {
    return this.blocks.map((b) => b.shape.outChannels);
  }

  /** The net's input for images x in [0, 1]: (x - mean) / std with options.inputNormalization, else x itself. */
  async #input(x: Tensor): Promise<Tensor> {
    const norm = this.options.inputNormalization;
    if (!norm) return x;
    if (!(norm.std > 0) || !Number.isFinite(norm.mean)) {
      throw new RangeError(
        `Cannot normalise the input: mean ${norm.mean}, std ${norm.std} (std must be > 0)`,
      );
    }
    const { backend } = this, out = backend.zeros(x.shape), shift = backend.zeros(x.shape);
    await backend.copy(x, out);
    await backend.fill(shift, -norm.mean);
    await backend.axpy(1, shift, out);
    await backend.scale(out, 1 / norm.std);
    backend.dispose(shift);
    return out;
  }

  /**
   * One local step of every block on a batch of (past, current) views, N C H W each, in [0, 1]. Block l
   * trains on block l - 1's outputs computed with its pre-update weights (simultaneous, local updates).
   */
  async step(views1: Tensor, views2: Tensor, batch: number): Promise<void> {
    const { backend, options } = this;
    const x1 = await this.#input(views1), x2 = await this.#input(views2);
    let in1 = x1, in2 = x2;
    if (options.shufflePositives) {
      const rng = new PhiloxStream(options.seed, 0x5f1e);
      const perm = Array.from({ length: batch }, (_, i) => i);
      for (let i = batch - 1; i > 0; i--) {
        const j = Math.floor(rng.uniform(this.#steps, 0, i) * (i + 1));
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      const rowSize = x1.size / batch;
      in1 = await backend.gatherRows(tensorView(x1, [batch, rowSize]), perm);
    }
    for (const block of this.blocks) {
      const shape = { ...block.shape, batch };
      const stale = options.staleEstimates ? block.stale : undefined;
      const r = await lplConvGradient(backend, shape, block.weight, block.bias, in1, in2, options, stale);
      if (stale) backend.dispose(stale);
      if (options.staleEstimates) block.stale = r.currentStats;
      else backend.dispose(r.currentStats);
      await block.weightOptimizer.step(block.weight, r.gradWeight);
      await block.biasOptimizer.step(block.bias, r.gradBias);
      backend.dispose(r.gradWeight, r.gradBias);
      if (in1 !== x1) backend.dispose(in1);
      if (in2 !== x2) backend.dispose(in2);
      in1 = r.out1;
      in2 = r.out2;
    }
    backend.dispose(in1, in2);
    if (x1 !== views1) backend.dispose(x1, x2);
    this.#steps++;
  }

  /**
   * Every block's GAP features z [rows, C_l] for images x (N C H W values in [0, 1]), computed in chunks of
   * `chunkRows` rows and gathered on the host as float64.
   */
  async features(x: Float64Array | Float32Array, rows: number, chunkRows = 256): Promise<Float64Array[]> {
    const { backend, spec } = this, size = spec.inChannels * spec.height * spec.width;
    if (x.length !== rows * size) {
      throw new RangeError(`Cannot compute features: ${x.length} values for ${rows} images of ${size}`);
    }
    const out = this.blocks.map((b) => new Float64Array(rows * b.shape.outChannels));
    for (let begin = 0; begin < rows; begin += chunkRows) {
      const n = Math.min(chunkRows, rows - begin);
      const raw = backend.tensor(x.subarray(begin * size, (begin + n) * size), [
        n,
        spec.inChannels,
        spec.height,
        spec.width,
      ]);
      let h = await this.#input(raw);
      if (h !== raw) backend.dispose(raw);
      const zs: Tensor[] = [];
      for (const block of this.blocks) {
        const f = await lplConvForward(
          backend,
          { ...block.shape, batch: n },
          block.weight,
          block.bias,
          h,
          this.options.activation,
        );
        disposeLplConvForward(backend, f, [f.out, f.z]);
        backend.dispose(h);
        h = f.out;
        zs.push(f.z);
      }
      backend.dispose(h);
      const values = await Promise.all(zs.map((z) => backend.read(z)));
      values.forEach((v, l) => out[l].set(v, begin * this.blocks[l].shape.outChannels));
      backend.dispose(...zs);
    }
    return out;
  }

  /** Frees weights, optimizer state and stale estimates. */
  dispose(): void {
    for (const b of this.blocks) {
      this.backend.dispose(b.weight, b.bias);
      if (b.stale) this.backend.dispose(b.stale);
      b.weightOptimizer.dispose();
      b.biasOptimizer.dispose();
    }
  }
}
