/**
 * Replaying another framework's run (issue 16 point 5): the training subset, the initial parameters and
 * the batch order of, e.g., a PyTorch run, read from `.npy` files and validated (shape, dtype, range) with a
 * {@linkcode DataError} (exit status 3) that names the file and what is wrong.
 *
 * The files:
 *
 * - `--subset-indices` `[n]` integers (int32, uint32 or int64: NumPy's default) in [0, N) of the training
 *   split (N = 60,000 for Fashion-MNIST, 50,000 for CIFAR-10), distinct: sample k of the subset is image
 *   `indices[k]` of the split. PyTorch: `np.save(f, np.asarray(subset.indices))` of a `torch.utils.data.Subset`.
 * - `--init-params` `[P]` float32 or float64: every parameter in this toolkit's flat layout, which follows
 *   PyTorch's `state_dict` order (layer by layer, weight then bias) but stores each weight transposed, as
 *   `[in, out]` row-major (the toolkit computes x W + b; `nn.Linear` stores W as `[out, in]` and computes
 *   x W^T + b). For the "mlp" preset on Fashion-MNIST (P = 669,706):
 *
 *   | toolkit view | shape | PyTorch `state_dict` entry (nn.Sequential(Flatten, Linear, ReLU, Linear, ReLU, Linear)) |
 *   |---|---|---|
 *   | fc1.weight | [784, 512] | `1.weight` [512, 784], transposed |
 *   | fc1.bias | [512] | `1.bias` [512] |
 *   | fc2.weight | [512, 512] | `3.weight` [512, 512], transposed |
 *   | fc2.bias | [512] | `3.bias` [512] |
 *   | fc3.weight | [512, 10] | `5.weight` [10, 512], transposed |
 *   | fc3.bias | [10] | `5.bias` [10] |
 *
 *   In NumPy: `np.concatenate([t.T.ravel() if t.ndim == 2 else t for t in (v.detach().numpy() for v in
 *   model.state_dict().values())]).astype(np.float32)`.
 * - `--batch-order` `[epochs, m]` integers in [0, n) (indices into the subset, b <= m <= n): row e is the
 *   order of epoch e (a PyTorch `DataLoader(shuffle=True)` over the subset: `list(sampler)` per epoch, the
 *   sampler's indices before batching); the steps of an epoch are its floor(m / b) consecutive slices, a
 *   last partial batch dropped (`drop_last=True`). The run needs `epochs >= ceil(steps / floor(m / b))`.
 *
 * @module
 */
import { DataError } from "../exit_codes.ts";
import { decodeNpy, type NpyData } from "../io/npy.ts";

/** The arrays of a replay, validated. */
export interface ReplayArrays {
  subsetIndices?: Uint32Array;
  initParams?: Float32Array | Float64Array;
  /** Row-major [epochs, m]. */
  batchOrder?: { order: Uint32Array; epochs: number; m: number };
}

/**
 * Reads a `.npy` file, accepting 64-bit integers (NumPy's default int) as well as lib/io's dtypes.
 *
 * @throws {DataError} When the file is missing or not a readable .npy file.
 */
export async function readReplayNpy(path: string, what: string): Promise<NpyData> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new DataError(`Cannot read ${what} ${path}: ${(error as Error).message}`);
  }
  return decodeReplayNpy(bytes, `${what} ${path}`);
}

/** Decodes .npy bytes; '<i8' and '<u8' become float64 values (exact below 2^53). */
export function decodeReplayNpy(bytes: Uint8Array, source: string): NpyData {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, Math.min(bytes.length, 512)));
  const wide = /'descr'\s*:\s*'(<i8|<u8)'/.exec(head);
  try {
    if (!wide) return decodeNpy(bytes, source);
    const patched = bytes.slice();
    const at = head.indexOf(wide[1], wide.index);
    patched[at + 1] = "f".charCodeAt(0); // same length: decode the 8-byte words, reinterpret below
    const raw = decodeNpy(patched, source);
    const words = raw.data as Float64Array, out = new Float64Array(words.length);
    const ints = wide[1] === "<i8"
      ? new BigInt64Array(words.buffer, words.byteOffset, words.length)
      : new BigUint64Array(words.buffer, words.byteOffset, words.length);
    for (let i = 0; i < ints.length; i++) out[i] = Number(ints[i]);
    return { data: out, shape: raw.shape, descr: wide[1] };
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError((error as Error).message);
  }
}

const INTEGER_DESCRS = ["<i4", "<u4", "<i8", "<u8", "|u1", "<u1"];

/** Integer values of an index file in [0, limit), checked. */
function indexValues(data: NpyData, source: string, limit: number, limitText: string): Uint32Array {
  if (!INTEGER_DESCRS.includes(data.descr)) {
    throw new DataError(
      `Cannot use ${source}: dtype '${data.descr}', must be an integer type (int32, uint32, int64)`,
    );
  }
  const out = new Uint32Array(data.data.length);
  for (let i = 0; i < data.data.length; i++) {
    const v = data.data[i];
    if (!(Number.isInteger(v) && v >= 0 && v < limit)) {
      throw new DataError(
        `Cannot use ${source}: entry ${i} is ${v}, must be in [0, ${limit}) (${limitText})`,
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Validates subset indices: shape [n], integers in [0, count), distinct.
 *
 * @throws {DataError} Naming the problem.
 */
export function checkSubsetIndices(data: NpyData, source: string, n: number, count: number): Uint32Array {
  if (data.shape.length !== 1 || data.shape[0] !== n) {
    throw new DataError(
      `Cannot use subset indices ${source}: shape (${data.shape}), must be (${n},) for n = ${n}`,
    );
  }
  const indices = indexValues(data, `subset indices ${source}`, count, "the training split's size");
  const seen = new Set<number>();
  indices.forEach((v, i) => {
    if (seen.has(v)) {
      throw new DataError(`Cannot use subset indices ${source}: entry ${i} (${v}) repeats an earlier one`);
    }
    seen.add(v);
  });
  return indices;
}

/**
 * Validates initial parameters: shape [P] (or any shape of P values), float32/float64, finite.
 *
 * @throws {DataError} Naming the problem.
 */
export function checkInitParams(data: NpyData, source: string, count: number): Float32Array | Float64Array {
  if (data.descr !== "<f4" && data.descr !== "<f8") {
    throw new DataError(
      `Cannot use initial parameters ${source}: dtype '${data.descr}', must be float32 or float64`,
    );
  }
  if (data.data.length !== count || data.shape.length !== 1) {
    throw new DataError(
      `Cannot use initial parameters ${source}: shape (${data.shape}), must be (${count},), the model's parameter ` +
        `count in the flat layout (see lib/eoss/replay.ts)`,
    );
  }
  const bad = data.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new DataError(`Cannot use initial parameters ${source}: entry ${bad} is ${data.data[bad]}`);
  }
  return data.data as Float32Array | Float64Array;
}

/**
 * Validates a batch order: shape [epochs, m] with batchSize <= m <= n, integers in [0, n), enough epochs.
 *
 * @throws {DataError} Naming the problem.
 */
export function checkBatchOrder(
  data: NpyData,
  source: string,
  n: number,
  batchSize: number,
  steps: number,
): { order: Uint32Array; epochs: number; m: number } {
  if (data.shape.length !== 2 || data.shape[1] < batchSize || data.shape[1] > n) {
    throw new DataError(
      `Cannot use batch order ${source}: shape (${data.shape}), must be (epochs, m) with ${batchSize} <= m <= ${n}`,
    );
  }
  const [epochs, m] = data.shape, perEpoch = Math.floor(m / batchSize);
  const needed = Math.ceil(steps / perEpoch);
  if (epochs < needed) {
    throw new DataError(
      `Cannot use batch order ${source}: ${epochs} epochs of ${perEpoch} steps, ${steps} steps need ${needed}`,
    );
  }
  return { order: indexValues(data, `batch order ${source}`, n, "indices into the subset"), epochs, m };
}

/** Replay arrays as read (validated by the engine against the model and data): `.npy` contents by role. */
export interface ReplayInput {
  subsetIndices?: NpyData;
  initParams?: NpyData;
  batchOrder?: NpyData;
}

/**
 * Reads the replay files a config names (none: an empty input).
 *
 * @throws {DataError} When a file is missing or unreadable.
 */
export async function readReplayFiles(
  replay: { subsetIndices?: string; initParams?: string; batchOrder?: string } | undefined,
): Promise<ReplayInput> {
  const out: ReplayInput = {};
  if (replay?.subsetIndices) out.subsetIndices = await readReplayNpy(replay.subsetIndices, "subset indices");
  if (replay?.initParams) out.initParams = await readReplayNpy(replay.initParams, "initial parameters");
  if (replay?.batchOrder) out.batchOrder = await readReplayNpy(replay.batchOrder, "batch order");
  return out;
}
