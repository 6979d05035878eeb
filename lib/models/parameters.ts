/**
 * Model parameters as one flat vector with named views.
 *
 * Every model keeps all its parameters in one flat tensor of `layout.count`
 * elements (a GPU buffer on `webgpu`, a Float64Array on `reference`), each named
 * tensor a contiguous view of it, in layout order. So an optimizer step is one
 * `axpy` over all parameters, and any flat vector of the same layout (a gradient,
 * a Hessian-vector product, a random direction) lines up with them.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { formatShape, shapeSize, type Tensor } from "../backend/tensor.ts";

/** How a parameter tensor is initialised. */
export type ParameterInit =
  | { kind: "zeros" }
  /** Independent normals N(0, std^2). */
  | { kind: "normal"; std: number };

/** One named tensor of a layout. */
export interface ParameterView {
  /** Name, e.g. `"fc1.weight"` (PyTorch's convention). */
  readonly name: string;
  /** Shape, e.g. `[out, in]` for a linear layer's weight. */
  readonly shape: readonly number[];
  /** First element in the flat vector. */
  readonly offset: number;
  /** Number of elements. */
  readonly size: number;
  /** How it is initialised. */
  readonly init: ParameterInit;
}

/** An entry of {@linkcode ParameterLayout}'s constructor. */
export interface ParameterEntry {
  /** Unique name. */
  name: string;
  /** Shape. */
  shape: readonly number[];
  /** Initialisation, zeros by default. */
  init?: ParameterInit;
}

/**
 * Where each named tensor lives in the flat parameter vector: views in order, back to back.
 *
 * @example
 * ```ts
 * import { ParameterLayout } from "./parameters.ts";
 * const layout = new ParameterLayout([{ name: "w", shape: [2, 3] }, { name: "b", shape: [2] }]);
 * layout.count; // 8
 * layout.view("b").offset; // 6
 * ```
 */
export class ParameterLayout {
  /** The views, in flat order. */
  readonly views: readonly ParameterView[];
  /** Total number of parameters (the flat vector's length). */
  readonly count: number;
  #byName = new Map<string, ParameterView>();

  /**
   * @param entries Names, shapes and initialisations, in flat order.
   * @throws {TypeError} On a duplicate or empty name.
   * @throws {RangeError} On a bad shape or a negative normal std.
   */
  constructor(entries: readonly ParameterEntry[]) {
    let offset = 0;
    const views: ParameterView[] = [];
    for (const entry of entries) {
      if (typeof entry.name !== "string" || entry.name === "" || this.#byName.has(entry.name)) {
        throw new TypeError(`Cannot create parameter layout: name "${entry.name}" is empty or repeated`);
      }
      const size = shapeSize(entry.shape, `parameter "${entry.name}"`);
      const init = entry.init ?? { kind: "zeros" };
      if (init.kind === "normal" && !(init.std >= 0 && Number.isFinite(init.std))) {
        throw new RangeError(
          `Cannot create parameter layout: "${entry.name}" has normal std ${init.std}, must be finite and >= 0`,
        );
      }
      const view = Object.freeze({ name: entry.name, shape: [...entry.shape], offset, size, init });
      views.push(view);
      this.#byName.set(entry.name, view);
      offset += size;
    }
    this.views = views;
    this.count = offset;
  }

  /** The names, in flat order. */
  get names(): string[] {
    return this.views.map((v) => v.name);
  }

  /**
   * The view called `name`.
   *
   * @throws {RangeError} When there is none.
   */
  view(name: string): ParameterView {
    const v = this.#byName.get(name);
    if (!v) {
      throw new RangeError(`Cannot find parameter "${name}": the layout has ${this.names.join(", ")}`);
    }
    return v;
  }

  /**
   * Checks that `flat` is a flat f32 vector of this layout.
   *
   * @param flat The tensor.
   * @param what Its role, for the message (`"parameters"`, `"direction"`).
   * @throws {RangeError} When its size differs from `count`.
   */
  check(flat: Tensor, what = "parameters"): void {
    if (flat.dtype !== "f32" || flat.size !== this.count) {
      throw new RangeError(
        `Cannot use ${what} of shape ${
          formatShape(flat.shape)
        } (${flat.dtype}): the layout has ${this.count} f32 parameters`,
      );
    }
  }

  /**
   * The named tensors of a flat array, as subarrays (no copies).
   *
   * @param flat The flat values (from `backend.read`).
   * @returns One subarray per name.
   */
  split<T extends Float64Array | Float32Array>(flat: T): Record<string, T> {
    if (flat.length !== this.count) {
      throw new RangeError(`Cannot split ${flat.length} values: the layout has ${this.count} parameters`);
    }
    const out: Record<string, T> = {};
    for (const v of this.views) out[v.name] = flat.subarray(v.offset, v.offset + v.size) as T;
    return out;
  }

  /**
   * Reads the flat vector and splits it into named tensors (one host wait).
   *
   * @param backend The backend holding `flat`.
   * @param flat A flat vector of this layout.
   * @returns The named tensors.
   */
  async read(backend: Backend, flat: Tensor): Promise<Record<string, Float64Array | Float32Array>> {
    this.check(flat);
    return this.split((await backend.read(flat)) as Float64Array | Float32Array);
  }
}
