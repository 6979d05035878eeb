/**
 * The WebGPU backend: tensors in GPU buffers, operations as WGSL kernels.
 *
 * Operations are recorded into one open compute pass (see `CommandRecorder`) and
 * submitted when a result is read, so a chain of operations costs one submit and
 * one host wait. Each operation's kernel lives in `kernels/<op>.ts`.
 *
 * @module
 */
import { type Activation, activationCoefficients, type DerivativeOrder } from "../activations.ts";
import {
  type Backend,
  type HistogramCounts,
  type HistogramOptions,
  type MatmulOptions,
  type RandomOptions,
  type ReduceOp,
  type ReduceOptions,
  ROW_L2_NORMALIZE_EPS,
} from "./backend.ts";
import { type DType, formatShape, shapeSize, splitAxis, type Tensor } from "./tensor.ts";
import {
  checkGatherRows,
  checkHistogram,
  checkMatmul,
  checkRandom,
  checkRowDot,
  checkRowL2Normalize,
  checkTensorData,
  requireF32,
  requireFinite,
  requireSameSize,
} from "./validate.ts";
import type { GpuContext } from "../gpu/device.ts";
import { createBuffer, readBuffer, writeBuffer } from "../gpu/buffers.ts";
import { CommandRecorder } from "../gpu/recorder.ts";
import type { GpuTarget } from "../gpu/fused_run.ts";
import { encodeMatmul } from "../../kernels/matmul/matmul.ts";
import {
  encodeActivation,
  encodeAxpy,
  encodeFill,
  encodeGatherRows,
  encodeScale,
} from "../../kernels/elementwise/elementwise.ts";
import { encodeHistogram, encodeReduce, encodeRowDot } from "../../kernels/reduce/reduce.ts";
import { encodeActivationBackward } from "../../kernels/elementwise/activation_backward.ts";
import { encodeRowL2Normalize, encodeRowL2NormalizeBackward } from "../../kernels/reduce/row_l2_normalize.ts";
import { checkReduceArguments } from "../reference/reduce.ts";
import { encodeRandom } from "../../kernels/random/random.ts";

/** A tensor of the webgpu backend: a GPU buffer and a shape. */
export class GpuTensor implements Tensor {
  readonly backend = "webgpu" as const;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /** The buffer (at least 16 bytes, 4 bytes per element). */
  readonly buffer: GPUBuffer;

  /** @param buffer The buffer; @param shape Shape; @param dtype Element type. */
  constructor(buffer: GPUBuffer, shape: readonly number[], dtype: DType) {
    this.buffer = buffer;
    this.shape = [...shape];
    this.dtype = dtype;
    this.size = shapeSize(shape);
  }
}

function own(t: Tensor, op: string, name = "x"): GpuTensor {
  if (!(t instanceof GpuTensor)) {
    throw new TypeError(`Cannot run "${op}" on the webgpu backend: ${name} is a ${t?.backend} tensor`);
  }
  return t;
}

function f32(t: Tensor, op: string, name = "x"): GPUBuffer {
  requireF32(op, t, name);
  return own(t, op, name).buffer;
}

/** The WebGPU backend. */
export class WebGpuBackend implements Backend {
  readonly name = "webgpu" as const;
  /** The GPU context. */
  readonly gpu: GpuContext;
  /** Records this backend's dispatches. */
  readonly recorder: CommandRecorder;

  /** The GPU context and recorder, for fused kernels. */
  readonly gpuTarget: GpuTarget;

  /** @param gpu An acquired GPU context. */
  constructor(gpu: GpuContext) {
    this.gpu = gpu;
    this.recorder = new CommandRecorder(gpu);
    this.gpuTarget = { gpu, recorder: this.recorder };
  }

  get description(): string {
    return `WebGPU on ${this.gpu.facts.description}${this.gpu.facts.isCpuAdapter ? " (CPU adapter)" : ""}`;
  }

  #allocate(shape: readonly number[], dtype: DType, label: string): GpuTensor {
    const size = shapeSize(shape);
    return new GpuTensor(createBuffer(this.gpu, size * 4, `${label} ${formatShape(shape)}`), shape, dtype);
  }

  tensor(data: ArrayLike<number>, shape: readonly number[] = [data.length], dtype: DType = "f32"): Tensor {
    checkTensorData(data, shape, dtype);
    const values = dtype === "u32" ? Uint32Array.from(data) : Float32Array.from(data);
    const t = this.#allocate(shape, dtype, "tensor");
    writeBuffer(this.gpu, t.buffer, values);
    return t;
  }

  zeros(shape: readonly number[], dtype: DType = "f32"): Tensor {
    return this.#allocate(shape, dtype, "zeros"); // WebGPU zero-initialises new buffers
  }

  async read(tensor: Tensor): Promise<Float32Array | Uint32Array> {
    const t = own(tensor, "read");
    this.recorder.flush();
    const bytes = await readBuffer(this.gpu, t.buffer, 0, t.size * 4);
    return t.dtype === "u32" ? new Uint32Array(bytes) : new Float32Array(bytes);
  }

  dispose(...tensors: Tensor[]): void {
    this.recorder.flush();
    for (const t of tensors) own(t, "dispose").buffer.destroy();
  }

  flush(): void {
    this.recorder.flush();
  }

  async matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Promise<Tensor> {
    const plan = checkMatmul(a, b, options);
    const c = this.#allocate(plan.outShape, "f32", "matmul");
    await encodeMatmul(this.recorder, {
      a: f32(a, "matmul", "A"),
      b: f32(b, "matmul", "B"),
      c: c.buffer,
      bias: options.bias ? f32(options.bias, "matmul", "bias") : undefined,
      activation: options.activation === undefined ? undefined : activationCoefficients(options.activation),
      plan,
      transposeA: options.transposeA ?? false,
      transposeB: options.transposeB ?? false,
      variant: options.variant ?? "auto",
    });
    return c;
  }

  async activation(x: Tensor, activation: Activation, order: DerivativeOrder = 0): Promise<Tensor> {
    const coefficients = activationCoefficients(activation);
    if (order !== 0 && order !== 1 && order !== 2) {
      throw new RangeError(`Cannot run "activation": derivative order ${order}, must be 0, 1 or 2`);
    }
    const out = this.#allocate(x.shape, "f32", "activation");
    await encodeActivation(this.recorder, {
      x: f32(x, "activation"),
      out: out.buffer,
      size: x.size,
      coefficients,
      order,
    });
    return out;
  }

  async activationBackward(x: Tensor, gradOutput: Tensor, activation: Activation): Promise<Tensor> {
    const coefficients = activationCoefficients(activation);
    requireSameSize("activationBackward", x, gradOutput, ["x", "gradOutput"]);
    const out = this.#allocate(x.shape, "f32", "activationBackward");
    await encodeActivationBackward(this.recorder, {
      x: f32(x, "activationBackward"),
      gradOutput: f32(gradOutput, "activationBackward", "gradOutput"),
      gradInput: out.buffer,
      size: x.size,
      coefficients,
    });
    return out;
  }

  async rowL2Normalize(x: Tensor, eps = ROW_L2_NORMALIZE_EPS): Promise<Tensor> {
    const { rows, cols } = checkRowL2Normalize("rowL2Normalize", x, eps);
    const out = this.#allocate(x.shape, "f32", "rowL2Normalize");
    await encodeRowL2Normalize(this.recorder, {
      x: f32(x, "rowL2Normalize"),
      y: out.buffer,
      shape: { rows, cols, eps },
    });
    return out;
  }

  async rowL2NormalizeBackward(x: Tensor, gradOutput: Tensor, eps = ROW_L2_NORMALIZE_EPS): Promise<Tensor> {
    const op = "rowL2NormalizeBackward", { rows, cols } = checkRowL2Normalize(op, x, eps, gradOutput);
    const out = this.#allocate(x.shape, "f32", op);
    await encodeRowL2NormalizeBackward(this.recorder, {
      x: f32(x, op),
      gradOutput: f32(gradOutput, op, "gradOutput"),
      gradInput: out.buffer,
      shape: { rows, cols, eps },
    });
    return out;
  }

  async axpy(alpha: number, x: Tensor, y: Tensor): Promise<void> {
    requireFinite("axpy", "alpha", alpha);
    requireSameSize("axpy", x, y);
    await encodeAxpy(this.recorder, { x: f32(x, "axpy"), y: f32(y, "axpy", "y"), size: x.size, alpha });
  }

  async scale(x: Tensor, alpha: number): Promise<void> {
    requireFinite("scale", "alpha", alpha);
    await encodeScale(this.recorder, { x: f32(x, "scale"), size: x.size, alpha });
  }

  async fill(x: Tensor, value: number): Promise<void> {
    const t = own(x, "fill");
    let bits: number;
    if (t.dtype === "u32") {
      if (!(Number.isInteger(value) && value >= 0 && value <= 0xffffffff)) {
        throw new RangeError(`Cannot run "fill": value ${value} does not fit a u32 tensor`);
      }
      bits = value;
    } else {
      bits = new Uint32Array(new Float32Array([value]).buffer)[0];
    }
    await encodeFill(this.recorder, { x: t.buffer, size: t.size, bits });
  }

  async copy(source: Tensor, target: Tensor): Promise<void> {
    requireSameSize("copy", source, target, ["source", "target"]);
    this.recorder.copy(
      own(source, "copy", "source").buffer,
      0,
      own(target, "copy", "target").buffer,
      0,
      source.size * 4,
    );
    return Promise.resolve();
  }

  async reduce(x: Tensor, op: ReduceOp, options: ReduceOptions = {}): Promise<Tensor> {
    const axis = options.axis ?? "all";
    const split = axis === "all" ? { outer: 1, n: x.size, inner: 1, outShape: [] } : splitAxis(x.shape, axis);
    checkReduceArguments(op, options.ddof ?? 0);
    const input = f32(x, op);
    const out = this.#allocate(split.outShape, "f32", op);
    await encodeReduce(this.recorder, {
      x: input,
      out: out.buffer,
      outer: split.outer,
      n: split.n,
      inner: split.inner,
      op,
      ddof: options.ddof ?? 0,
    });
    return out;
  }

  async rowDot(a: Tensor, b: Tensor): Promise<Tensor> {
    checkRowDot(a, b);
    const out = this.#allocate([a.shape[0]], "f32", "rowDot");
    await encodeRowDot(this.recorder, {
      a: f32(a, "rowDot", "a"),
      b: f32(b, "rowDot", "b"),
      out: out.buffer,
      rows: a.shape[0],
      cols: a.shape[1],
    });
    return out;
  }

  async gatherRows(x: Tensor, indices: ArrayLike<number>): Promise<Tensor> {
    const picked = checkGatherRows(x, indices);
    const source = own(x, "gatherRows");
    const cols = x.shape[1];
    const out = this.#allocate([picked.length, cols], x.dtype, "gatherRows");
    if (picked.length > 0 && cols > 0) {
      const index = this.#allocate([picked.length], "u32", "gatherRows indices");
      writeBuffer(this.gpu, index.buffer, picked);
      await encodeGatherRows(this.recorder, {
        x: source.buffer,
        indices: index.buffer,
        out: out.buffer,
        count: picked.length,
        cols,
      });
      this.recorder.releaseAfterFlush(index.buffer);
    }
    return out;
  }

  async histogram(x: Tensor, options: HistogramOptions): Promise<HistogramCounts> {
    checkHistogram(options);
    const out = this.#allocate([options.bins + 3], "u32", "histogram");
    await encodeHistogram(this.recorder, {
      x: f32(x, "histogram"),
      out: out.buffer,
      size: x.size,
      ...options,
    });
    const counts = (await this.read(out)) as Uint32Array;
    this.dispose(out);
    const bins = options.bins;
    return {
      counts: counts.slice(0, bins),
      underflow: counts[bins],
      overflow: counts[bins + 1],
      nan: counts[bins + 2],
    };
  }

  async random(shape: readonly number[], options: RandomOptions): Promise<Tensor> {
    const { rows, cols } = checkRandom(shape, options);
    const out = this.#allocate(shape, options.distribution === "u32" ? "u32" : "f32", "random");
    await encodeRandom(this.recorder, { out: out.buffer, rows, cols, options });
    return out;
  }
}
