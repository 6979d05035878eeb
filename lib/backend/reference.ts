/**
 * The float64 reference backend: plain TypeScript loops, written to be read.
 *
 * It is the oracle for every kernel test and the fallback when no WebGPU adapter
 * exists. `f32` tensors hold float64 values here (no rounding to float32).
 *
 * @module
 */
import {
  type Activation,
  activationCoefficients,
  type DerivativeOrder,
  evaluateActivation,
} from "../activations.ts";
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
import { type DType, shapeSize, splitAxis, type Tensor } from "./tensor.ts";
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
import { matmulReference } from "../reference/matmul.ts";
import { histogramReference, reduceReference, rowDotReference } from "../reference/reduce.ts";
import { randomReference } from "../rng/philox.ts";
import {
  activationBackwardReference,
  rowL2NormalizeBackwardReference,
  rowL2NormalizeReference,
} from "../reference/backend_ops.ts";

/** A tensor of the reference backend: its values in a typed array. */
export class ReferenceTensor implements Tensor {
  readonly backend = "reference" as const;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /** The values (float64 for f32 tensors, uint32 for u32 tensors). */
  readonly data: Float64Array | Uint32Array;

  /** @param data Values; @param shape Shape; @param dtype Element type. */
  constructor(data: Float64Array | Uint32Array, shape: readonly number[], dtype: DType) {
    this.data = data;
    this.shape = [...shape];
    this.dtype = dtype;
    this.size = data.length;
  }
}

function own(t: Tensor, op: string, name = "x"): ReferenceTensor {
  if (!(t instanceof ReferenceTensor)) {
    throw new TypeError(`Cannot run "${op}" on the reference backend: ${name} is a ${t?.backend} tensor`);
  }
  return t;
}

function f64(t: Tensor, op: string, name = "x"): Float64Array {
  requireF32(op, t, name);
  return own(t, op, name).data as Float64Array;
}

/** The float64 TypeScript backend. */
export class ReferenceBackend implements Backend {
  readonly name = "reference" as const;
  readonly description = "float64 TypeScript reference";
  readonly gpuTarget = null;

  tensor(data: ArrayLike<number>, shape: readonly number[] = [data.length], dtype: DType = "f32"): Tensor {
    checkTensorData(data, shape, dtype);
    const values = dtype === "u32" ? Uint32Array.from(data) : Float64Array.from(data);
    return new ReferenceTensor(values, shape, dtype);
  }

  zeros(shape: readonly number[], dtype: DType = "f32"): Tensor {
    const size = shapeSize(shape);
    return new ReferenceTensor(
      dtype === "u32" ? new Uint32Array(size) : new Float64Array(size),
      shape,
      dtype,
    );
  }

  async read(tensor: Tensor): Promise<Float64Array | Uint32Array> {
    const t = own(tensor, "read");
    return t.data.slice();
  }

  dispose(): void {}
  flush(): void {}

  async matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Promise<Tensor> {
    const plan = checkMatmul(a, b, options);
    const bias = options.bias ? f64(options.bias, "matmul", "bias") : undefined;
    const data = matmulReference(f64(a, "matmul", "A"), f64(b, "matmul", "B"), plan, {
      transposeA: options.transposeA ?? false,
      transposeB: options.transposeB ?? false,
      bias,
      activation: options.activation === undefined ? undefined : activationCoefficients(options.activation),
    });
    return new ReferenceTensor(data, plan.outShape, "f32");
  }

  async activation(x: Tensor, activation: Activation, order: DerivativeOrder = 0): Promise<Tensor> {
    const coefficients = activationCoefficients(activation);
    if (order !== 0 && order !== 1 && order !== 2) {
      throw new RangeError(`Cannot run "activation": derivative order ${order}, must be 0, 1 or 2`);
    }
    const data = f64(x, "activation").map((v) => evaluateActivation(coefficients, v, order));
    return new ReferenceTensor(data, x.shape, "f32");
  }

  async activationBackward(x: Tensor, gradOutput: Tensor, activation: Activation): Promise<Tensor> {
    const coefficients = activationCoefficients(activation);
    requireSameSize("activationBackward", x, gradOutput, ["x", "gradOutput"]);
    const data = activationBackwardReference(
      coefficients,
      f64(x, "activationBackward"),
      f64(gradOutput, "activationBackward", "gradOutput"),
    );
    return new ReferenceTensor(data, x.shape, "f32");
  }

  async rowL2Normalize(x: Tensor, eps = ROW_L2_NORMALIZE_EPS): Promise<Tensor> {
    const { rows, cols } = checkRowL2Normalize("rowL2Normalize", x, eps);
    return new ReferenceTensor(
      rowL2NormalizeReference(f64(x, "rowL2Normalize"), rows, cols, eps),
      x.shape,
      "f32",
    );
  }

  async rowL2NormalizeBackward(x: Tensor, gradOutput: Tensor, eps = ROW_L2_NORMALIZE_EPS): Promise<Tensor> {
    const op = "rowL2NormalizeBackward", { rows, cols } = checkRowL2Normalize(op, x, eps, gradOutput);
    const data = rowL2NormalizeBackwardReference(
      f64(x, op),
      f64(gradOutput, op, "gradOutput"),
      rows,
      cols,
      eps,
    );
    return new ReferenceTensor(data, x.shape, "f32");
  }

  async axpy(alpha: number, x: Tensor, y: Tensor): Promise<void> {
    requireFinite("axpy", "alpha", alpha);
    requireSameSize("axpy", x, y);
    const xs = f64(x, "axpy"), ys = f64(y, "axpy", "y");
    for (let i = 0; i < ys.length; i++) ys[i] += alpha * xs[i];
    return;
  }

  async scale(x: Tensor, alpha: number): Promise<void> {
    requireFinite("scale", "alpha", alpha);
    const xs = f64(x, "scale");
    for (let i = 0; i < xs.length; i++) xs[i] *= alpha;
    return;
  }

  async fill(x: Tensor, value: number): Promise<void> {
    const t = own(x, "fill");
    if (t.dtype === "u32" && !(Number.isInteger(value) && value >= 0 && value <= 0xffffffff)) {
      throw new RangeError(`Cannot run "fill": value ${value} does not fit a u32 tensor`);
    }
    t.data.fill(value);
    return;
  }

  async copy(source: Tensor, target: Tensor): Promise<void> {
    requireSameSize("copy", source, target, ["source", "target"]);
    own(target, "copy", "target").data.set(own(source, "copy", "source").data);
    return;
  }

  async reduce(x: Tensor, op: ReduceOp, options: ReduceOptions = {}): Promise<Tensor> {
    const xs = f64(x, op);
    const axis = options.axis ?? "all";
    const split = axis === "all"
      ? { outer: 1, n: xs.length, inner: 1, outShape: [] }
      : splitAxis(x.shape, axis);
    const data = reduceReference(xs, split.outer, split.n, split.inner, op, options.ddof ?? 0);
    return new ReferenceTensor(data, split.outShape, "f32");
  }

  async rowDot(a: Tensor, b: Tensor): Promise<Tensor> {
    checkRowDot(a, b);
    const data = rowDotReference(f64(a, "rowDot", "a"), f64(b, "rowDot", "b"), a.shape[0], a.shape[1]);
    return new ReferenceTensor(data, [a.shape[0]], "f32");
  }

  async gatherRows(x: Tensor, indices: ArrayLike<number>): Promise<Tensor> {
    const picked = checkGatherRows(x, indices);
    const source = own(x, "gatherRows").data;
    const cols = x.shape[1];
    const out = x.dtype === "u32"
      ? new Uint32Array(picked.length * cols)
      : new Float64Array(picked.length * cols);
    picked.forEach((row, i) => out.set(source.subarray(row * cols, (row + 1) * cols), i * cols));
    return new ReferenceTensor(out, [picked.length, cols], x.dtype);
  }

  async histogram(x: Tensor, options: HistogramOptions): Promise<HistogramCounts> {
    checkHistogram(options);
    return histogramReference(f64(x, "histogram"), options);
  }

  async random(shape: readonly number[], options: RandomOptions): Promise<Tensor> {
    const { rows, cols } = checkRandom(shape, options);
    const data = randomReference(rows, cols, options);
    return new ReferenceTensor(data, shape, options.distribution === "u32" ? "u32" : "f32");
  }
}
