/**
 * A sequential network of {@linkcode LayerSpec} layers with its parameters in one flat vector
 * ({@linkcode ParameterLayout}, so the optimizers and EMA updates work on it as on any model), and
 * back-propagation of a GIVEN output gradient through it: the caller computes dL/d(output) of whatever
 * objective it has (BYOL's cosine loss, a layer-local objective) and gets the flat parameter gradient and,
 * if asked, dL/d(input). Runs on either backend (lib/models/layer_backprop.ts).
 *
 * Batch-norm running statistics are state, not parameters: {@linkcode LayerStack.createState} makes one set
 * per network copy (an online and a target network share a spec, not their statistics).
 *
 * @example Gradient of sum(r * f(x)) for a tiny dense network on the reference backend
 * ```ts
 * import assert from "node:assert";
 * import { ReferenceBackend } from "../backend/reference.ts";
 * import { LayerStack } from "./layer_stack.ts";
 * const backend = new ReferenceBackend();
 * const net = new LayerStack({ features: 3 }, [
 *   { kind: "dense", name: "fc1", outFeatures: 4 },
 *   { kind: "activation", activation: "tanh" },
 *   { kind: "dense", name: "fc2", outFeatures: 2 },
 * ]);
 * const params = net.init(backend, 1), state = net.createState(backend);
 * const x = backend.tensor([1, 2, 3, -1, 0, 1], [2, 3]);
 * const trace = await net.forward(backend, params, x, { mode: "train", state });
 * const { gradient } = await net.backward(backend, trace, backend.tensor([1, 0, 0, 1], [2, 2]));
 * assert.ok(gradient.size === net.layout.count);
 * ```
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { type ParameterEntry, ParameterLayout } from "./parameters.ts";
import { initialParameters } from "./init.ts";
import { copyElements, sliceTensor } from "./tensor_views.ts";
import {
  layerBackward,
  type LayerCache,
  layerForward,
  type LayerParameters,
  layerShapes,
  type LayerSpec,
  type SampleShape,
} from "./layer_backprop.ts";

export type { LayerSpec, SampleShape } from "./layer_backprop.ts";

/** A forward pass's record: every layer's cache and parameters, and the output. */
export interface StackTrace {
  /** The mode of the pass. */
  mode: "train" | "eval";
  /** Per layer: its cache and its parameter tensors (copies of the flat vector's views). */
  layers: { cache: LayerCache; params: LayerParameters }[];
  /** Every layer's output (outputs[i] is layer i's; the last is the network's). */
  outputs: Tensor[];
}

/** Options of {@linkcode LayerStack.backward}. */
export interface StackBackwardOptions {
  /** Whether to return dL/d(input) (default false). */
  input?: boolean;
  /** Which parameters get gradients (by name, e.g. `(n) => n.startsWith("conv1.")`); all by default. */
  trainable?: (name: string) => boolean;
}

/** A sequential network with flat parameters and back-propagation of a given output gradient. */
export class LayerStack {
  /** The per-sample input shape. */
  readonly input: SampleShape;
  /** The layers. */
  readonly layers: readonly LayerSpec[];
  /** Per-sample input shape of each layer, then the output shape (layers.length + 1 entries). */
  readonly shapes: readonly SampleShape[];
  /** The flat parameter layout: `<name>.weight`, `<name>.bias` per parametrised layer, in layer order. */
  readonly layout: ParameterLayout;
  #views: ({ weight?: string; bias?: string })[] = [];

  /**
   * @param input The per-sample input shape.
   * @param layers The layers, first to last.
   * @throws {RangeError} When a layer does not fit its input or two layers share a name.
   */
  constructor(input: SampleShape, layers: readonly LayerSpec[]) {
    this.input = input;
    this.layers = layers;
    const shapes: SampleShape[] = [input], entries: ParameterEntry[] = [];
    for (const layer of layers) {
      const s = layerShapes(layer, shapes[shapes.length - 1]);
      const names: { weight?: string; bias?: string } = {};
      if ("name" in layer) {
        const fanIn = s.weight ? s.weight.slice(1).reduce((a, b) => a * b, 1) : 1;
        const std = layer.kind === "batchNorm" ? 0 : 1 / Math.sqrt(fanIn);
        if (s.weight) {
          names.weight = `${layer.name}.weight`;
          entries.push({ name: names.weight, shape: s.weight, init: { kind: "normal", std } });
        }
        if (s.bias) {
          names.bias = `${layer.name}.bias`;
          entries.push({ name: names.bias, shape: s.bias });
        }
      }
      this.#views.push(names);
      shapes.push(s.output);
    }
    this.shapes = shapes;
    this.layout = new ParameterLayout(entries);
  }

  /** The output's per-sample shape. */
  get output(): SampleShape {
    return this.shapes[this.shapes.length - 1];
  }

  /**
   * Initial flat parameters (float64 on the host): weights N(0, 1/fan_in), biases 0, batch-norm scale 1
   * and shift 0.
   *
   * @param seed The init seed.
   */
  initialValues(seed: number): Float64Array {
    const flat = initialParameters(this.layout, seed);
    this.layers.forEach((layer, i) => {
      const name = this.#views[i].weight;
      if (layer.kind === "batchNorm" && name) {
        const v = this.layout.view(name);
        flat.fill(1, v.offset, v.offset + v.size);
      }
    });
    return flat;
  }

  /** Initial flat parameters on a backend ({@linkcode LayerStack.initialValues}). */
  init(backend: Backend, seed: number): Tensor {
    return backend.tensor(this.initialValues(seed), [this.layout.count]);
  }

  /** Batch-norm running statistics (mean 0, variance 1) for each batch-norm layer, by layer index. */
  createState(backend: Backend): Map<number, Tensor> {
    const state = new Map<number, Tensor>();
    this.layers.forEach((layer, i) => {
      if (layer.kind !== "batchNorm") return;
      const c = this.layout.view(this.#views[i].weight!).size;
      state.set(i, backend.tensor([...new Array(c).fill(0), ...new Array(c).fill(1)], [2, c]));
    });
    return state;
  }

  #params(backend: Backend, flat: Tensor, i: number): LayerParameters {
    const names = this.#views[i], out: LayerParameters = {};
    for (const role of ["weight", "bias"] as const) {
      const name = names[role];
      if (name) {
        const v = this.layout.view(name);
        out[role] = sliceTensor(backend, flat, v.offset, v.shape);
      }
    }
    return out;
  }

  /**
   * The forward pass on a batch.
   *
   * @param backend The backend.
   * @param params The flat parameters.
   * @param x The input, N times the sample's elements (NCHW for images).
   * @param options Mode, and the running statistics from {@linkcode LayerStack.createState}.
   * @returns The trace (its last output is the network's); dispose it with {@linkcode LayerStack.dispose}.
   */
  async forward(
    backend: Backend,
    params: Tensor,
    x: Tensor,
    options: { mode: "train" | "eval"; state: Map<number, Tensor> },
  ): Promise<StackTrace> {
    this.layout.check(params);
    const trace: StackTrace = { mode: options.mode, layers: [], outputs: [] };
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      const p = this.#params(backend, params, i);
      const r = await layerForward(backend, this.layers[i], this.shapes[i], h, p, {
        mode: options.mode,
        running: options.state.get(i),
      });
      trace.layers.push({ cache: r.cache, params: p });
      trace.outputs.push(r.y);
      h = r.y;
    }
    return trace;
  }

  /**
   * Back-propagates a given gradient of the output through the network.
   *
   * @param backend The backend.
   * @param trace The forward pass's trace.
   * @param gradOutput dL/d(output), shaped like the output.
   * @param options Which parameters get gradients, and whether dL/d(input) is returned.
   * @returns The flat gradient (zeros for parameters not trainable) and dL/d(input) if asked.
   */
  async backward(
    backend: Backend,
    trace: StackTrace,
    gradOutput: Tensor,
    options: StackBackwardOptions = {},
  ): Promise<{ gradient: Tensor; gradInput?: Tensor }> {
    const trainable = options.trainable ?? (() => true);
    const gradient = backend.zeros([this.layout.count]);
    // The first layer that needs a gradient: nothing below it (and not the input) needs back-propagation.
    let lowest = this.layers.findIndex((_, i) => this.#trainableLayer(i, trainable));
    if (options.input) lowest = 0;
    let g = gradOutput;
    for (let i = this.layers.length - 1; i >= Math.max(lowest, 0) && lowest >= 0; i--) {
      const { cache, params } = trace.layers[i];
      const r = await layerBackward(backend, this.layers[i], this.shapes[i], cache, params, g, {
        input: i > lowest || options.input === true,
        parameters: this.#trainableLayer(i, trainable),
        mode: trace.mode,
      });
      for (const role of ["weight", "bias"] as const) {
        const t = role === "weight" ? r.gradWeight : r.gradBias, name = this.#views[i][role];
        if (t && name) {
          copyElements(backend, t, 0, gradient, this.layout.view(name).offset, t.size);
          backend.dispose(t);
        }
      }
      if (g !== gradOutput) backend.dispose(g);
      g = r.gradInput!;
    }
    return options.input ? { gradient, gradInput: g } : { gradient };
  }

  #trainableLayer(i: number, trainable: (name: string) => boolean): boolean {
    const names = this.#views[i];
    return [names.weight, names.bias].some((n) => n !== undefined && trainable(n));
  }

  /** Frees a trace's tensors (not the input x). */
  dispose(backend: Backend, trace: StackTrace): void {
    const owned: Tensor[] = [...trace.outputs];
    for (const { cache, params } of trace.layers) {
      if (cache.ownsStats && cache.stats) owned.push(cache.stats);
      if (params.weight) owned.push(params.weight);
      if (params.bias) owned.push(params.bias);
    }
    // Views share storage with their tensors: free each buffer once.
    const seen = new Set<unknown>();
    backend.dispose(...owned.filter((t) => {
      const key = t.buffer ?? t;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }));
  }
}
