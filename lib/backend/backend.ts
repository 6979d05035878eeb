/**
 * The backend interface: one set of tensor operations, two implementations.
 *
 * `webgpu` runs WGSL kernels (kernels/), `reference` runs float64 TypeScript
 * written to be read (lib/reference/). Both give the same results up to float32
 * rounding, and the reference is the oracle every kernel test compares with.
 * Operations are async because GPU pipelines compile asynchronously; results
 * stay on the backend until {@linkcode Backend.read}.
 *
 * @module
 */
import type { Activation, DerivativeOrder } from "../activations.ts";
import type { BackendName, DType, Tensor } from "./tensor.ts";
import type { GpuTarget } from "../gpu/fused_run.ts";
import type { HistogramCounts, HistogramOptions, ReduceOp } from "../../kernels/reduce/reduce_shape.ts";
import type { RandomOptions } from "../rng/philox.ts";
export { type Distribution, type RandomOptions } from "../rng/philox.ts";
export {
  type HistogramCounts,
  type HistogramOptions,
  type ReduceOp,
} from "../../kernels/reduce/reduce_shape.ts";

/** The default eps of {@linkcode Backend.rowL2Normalize} (torch's `F.normalize`). */
export const ROW_L2_NORMALIZE_EPS = 1e-12;

/** Options of {@linkcode Backend.matmul}. */
export interface MatmulOptions {
  /** Use A^T (transposes the last two axes of A). */
  transposeA?: boolean;
  /** Use B^T. */
  transposeB?: boolean;
  /** A bias of shape [n] added to every row of the product. */
  bias?: Tensor;
  /** An activation applied after the bias. */
  activation?: Activation;
  /** Kernel variant on the webgpu backend; `"auto"` (default) picks the calibrated one for the adapter. */
  variant?: "auto" | "naive" | "blocked" | "tiled";
}

/** Options of {@linkcode Backend.reduce}. */
export interface ReduceOptions {
  /** Axis to reduce (numpy convention: 1 on a [rows, cols] tensor reduces each row), or `"all"` (default). */
  axis?: number | "all";
  /** Delta degrees of freedom of `variance` (divides by n - ddof); 0 by default. */
  ddof?: number;
}

/** The operations every backend provides. */
export interface Backend {
  /** Which implementation this is. */
  readonly name: BackendName;
  /** Human description (the adapter on webgpu). */
  readonly description: string;
  /**
   * Where fused kernels run: the GPU context and this backend's recorder on webgpu, null on the reference
   * (a line then runs its float64 loop). Lines use this instead of unwrapping the backend's class.
   */
  readonly gpuTarget: GpuTarget | null;

  /**
   * Creates a tensor holding `data` (rounded to float32 on webgpu).
   * @throws {RangeError} When `data.length` differs from the shape's size.
   */
  tensor(data: ArrayLike<number>, shape?: readonly number[], dtype?: DType): Tensor;
  /** Creates a tensor of zeros. */
  zeros(shape: readonly number[], dtype?: DType): Tensor;
  /** Reads a tensor's values (Float64Array on reference, Float32Array on webgpu; Uint32Array for u32). */
  read(tensor: Tensor): Promise<Float64Array | Float32Array | Uint32Array>;
  /** Frees tensors' memory (no-op on reference). */
  dispose(...tensors: Tensor[]): void;
  /** Submits recorded work without waiting. */
  flush(): void;

  /** C = act(op(A) op(B) + bias), batched over a leading axis (see `planMatmul`). */
  matmul(a: Tensor, b: Tensor, options?: MatmulOptions): Promise<Tensor>;
  /** Elementwise activation (order 0) or its first/second derivative. */
  activation(x: Tensor, activation: Activation, order?: DerivativeOrder): Promise<Tensor>;
  /**
   * The backward pass of an elementwise activation y = f(x): dL/dx = gradOutput f'(x), a new tensor of x's
   * shape (`x` is the forward input, the pre-activation).
   * @throws {RangeError} When x and gradOutput differ in size.
   */
  activationBackward(x: Tensor, gradOutput: Tensor, activation: Activation): Promise<Tensor>;
  /**
   * Each row of a [rows, cols] tensor divided by max(its L2 norm, eps) (torch's `F.normalize(x, dim=1)`);
   * `eps` defaults to {@linkcode ROW_L2_NORMALIZE_EPS}.
   * @throws {RangeError} When x is not 2-D or eps is not positive.
   */
  rowL2Normalize(x: Tensor, eps?: number): Promise<Tensor>;
  /**
   * dL/dx of {@linkcode Backend.rowL2Normalize} given gradOutput = dL/dy: (g - y (y . g)) / ||x|| per row
   * (g / eps where ||x|| <= eps). `x` is the forward input, `eps` the forward pass's.
   * @throws {RangeError} When x is not 2-D, the shapes differ, or eps is not positive.
   */
  rowL2NormalizeBackward(x: Tensor, gradOutput: Tensor, eps?: number): Promise<Tensor>;
  /** y <- alpha x + y, in place. */
  axpy(alpha: number, x: Tensor, y: Tensor): Promise<void>;
  /** x <- alpha x, in place. */
  scale(x: Tensor, alpha: number): Promise<void>;
  /** Sets every element to `value`. */
  fill(x: Tensor, value: number): Promise<void>;
  /** Copies `source` into `target` (same size and dtype). */
  copy(source: Tensor, target: Tensor): Promise<void>;

  /** A reduction over one axis or all elements (NaN propagates through min/max). */
  reduce(x: Tensor, op: ReduceOp, options?: ReduceOptions): Promise<Tensor>;
  /** Row-wise dot products of two [rows, cols] tensors: out[r] = sum_c a[r,c] b[r,c]. */
  rowDot(a: Tensor, b: Tensor): Promise<Tensor>;
  /**
   * Rows of a [rows, cols] tensor picked by index (any order, repeats allowed): out[i] = x[indices[i]],
   * shape [indices.length, cols], same dtype. E.g. a seeded sample subset of a dataset held on the backend.
   */
  gatherRows(x: Tensor, indices: ArrayLike<number>): Promise<Tensor>;
  /** A fixed-bin histogram of all elements. */
  histogram(x: Tensor, options: HistogramOptions): Promise<HistogramCounts>;

  /** Random numbers from the Philox stream; `shape` is [cols] or [rows, cols]. */
  random(shape: readonly number[], options: RandomOptions): Promise<Tensor>;
}
