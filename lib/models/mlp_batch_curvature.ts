/**
 * The curvature of K mini-batch losses along their own gradients, g_k^T H_k g_k and |g_k|^2 for
 * k = 1..K, for an MLP with the squared loss, in one pass over the K b stacked rows: no per-batch
 * gradient vector is ever formed.
 *
 * Why it works: the gradient of batch k in a dense layer is rank b, V_l = A_{l-1}^T G_l (rows of the
 * batch's activations A and backpropagated output gradients G, scaled 1/b), with bias part 1^T G_l. So
 * a row u of the same batch times V_l is (u A_{l-1}^T) G_l: b x b Gram matrices instead of P-sized
 * products, and
 *
 * - |g_k|^2 = sum_l sum_ij (A A^T + 1)_ij (G G^T)_ij (the per-batch Gram identity);
 * - g_k^T H_k g_k = d^2/dt^2 L_k(theta + t g_k) at t = 0, by second-order forward mode along g_k:
 *   Zdot_l = Adot_{l-1} W_l + (A_{l-1} A_{l-1}^T + 1) G_l, Zddot_l = Addot_{l-1} W_l + 2 (Adot_{l-1} A_{l-1}^T) G_l,
 *   Adot = act'(Z) Zdot, Addot = act'(Z) Zddot + act''(Z) Zdot^2 (Adot_0 = Addot_0 = 0), and for the
 *   squared loss d^2 L_k = (1/b) sum_i [2 |fdot_i|^2 + 2 (f_i - y_i) . fddot_i].
 *
 * The large products are shared-weight matmuls over all K b rows (forward, backward and the two
 * tangent passes); the rest are batched b x b products. Exact (no finite differences): the same numbers
 * as `Mlp.evaluate`'s gradient and R-operator H v per batch, up to rounding. Built from `Backend`
 * operations plus {@linkcode activationJvp}, so it runs on both backends.
 *
 * @module
 */
import type { Tensor } from "../backend/tensor.ts";
import { activationJvp } from "./activation_jvp.ts";
import type { Mlp } from "./mlp_model.ts";
import { sliceTensor, tensorView } from "./tensor_views.ts";

/** What {@linkcode mlpBatchCurvatures} returns: tensors [K] on the model's backend (caller disposes). */
export interface BatchCurvatures {
  /** g_k^T H_k g_k per batch. */
  curvature: Tensor;
  /** |g_k|^2 per batch. */
  gradientNormSquared: Tensor;
  /** The batch loss L_k per batch. */
  loss: Tensor;
}

/**
 * g_k^T H_k g_k, |g_k|^2 and L_k of K batches of `batchSize` rows each: batch k is rows
 * `indices[k b .. (k+1) b)` of (x, y).
 *
 * @param mlp The MLP (squared loss).
 * @param params Flat parameters.
 * @param x Inputs [N, inputs] on the backend.
 * @param y Targets [N, outputs].
 * @param indices K b row indices, batch after batch.
 * @param batchSize b.
 * @returns Per-batch tensors [K].
 * @throws {TypeError} For a loss other than squared. @throws {RangeError} On bad sizes or indices.
 */
export async function mlpBatchCurvatures(
  mlp: Mlp,
  params: Tensor,
  x: Tensor,
  y: Tensor,
  indices: ArrayLike<number>,
  batchSize: number,
): Promise<BatchCurvatures> {
  if (mlp.loss !== "squared") {
    throw new TypeError(`Cannot take batch curvatures of an MLP with loss "${mlp.loss}": only squared`);
  }
  const b = batchSize, K = indices.length / b;
  if (!Number.isInteger(b) || b < 1 || !Number.isInteger(K) || K < 1) {
    throw new RangeError(
      `Cannot take batch curvatures: ${indices.length} indices are not a positive multiple of batch size ${b}`,
    );
  }
  mlp.layout.check(params);
  const backend = mlp.backend, sizes = mlp.spec.sizes, L = sizes.length - 1, act = mlp.spec.activation;
  const rows = K * b, scale = 1 / b;
  const owned: Tensor[] = [];
  const keep = <T extends Tensor>(t: T): T => (owned.push(t), t);
  const batched = (t: Tensor, cols: number) => tensorView(t, [K, b, cols]);
  try {
    const A: Tensor[] = [keep(await backend.gatherRows(x, indices))]; // A_0 .. A_{L-1}
    const Y = keep(await backend.gatherRows(y, indices));
    const W: Tensor[] = [], Z: Tensor[] = [];
    for (let l = 1; l <= L; l++) {
      const w = mlp.layout.view(`fc${l}.weight`), bias = mlp.layout.view(`fc${l}.bias`);
      W.push(keep(sliceTensor(backend, params, w.offset, w.shape)));
      const bl = keep(sliceTensor(backend, params, bias.offset, bias.shape));
      Z.push(keep(await backend.matmul(A[l - 1], W[l - 1], { bias: bl })));
      if (l < L) A.push(keep(await backend.activation(Z[l - 1], act)));
    }
    // Residuals r = f - y, per-batch losses, and G_L = (2/b) r.
    const nOut = sizes[L], residual = keep(backend.zeros([rows, nOut]));
    await backend.copy(Z[L - 1], residual);
    await backend.axpy(-1, Y, residual);
    const loss = await backend.reduce(
      tensorView(keep(await backend.rowDot(residual, residual)), [K, b]),
      "mean",
      {
        axis: 1,
      },
    );
    const G: Tensor[] = new Array(L);
    G[L - 1] = residual;
    await backend.scale(residual, 2 * scale);
    for (let l = L; l >= 2; l--) {
      const h = keep(await backend.matmul(G[l - 1], W[l - 1], { transposeB: true }));
      G[l - 2] = keep(await activationJvp(backend, act, Z[l - 2], h));
    }
    // Grams P~_l = A A^T + 1 and Q_l = G G^T per batch; |g_k|^2 = sum_l <P~_l, Q_l>.
    const ones = keep(backend.zeros([K * b * b]));
    await backend.fill(ones, 1);
    const gradientNormSquared = backend.zeros([K]);
    const P: Tensor[] = [];
    for (let l = 1; l <= L; l++) {
      const a = batched(A[l - 1], sizes[l - 1]), g = batched(G[l - 1], sizes[l]);
      const p = keep(await backend.matmul(a, a, { transposeB: true }));
      await backend.axpy(1, ones, p);
      P.push(p);
      const q = keep(await backend.matmul(g, g, { transposeB: true }));
      const term = keep(await backend.rowDot(tensorView(p, [K, b * b]), tensorView(q, [K, b * b])));
      await backend.axpy(1, term, gradientNormSquared);
    }
    // Second-order forward mode along each batch's gradient.
    let zDot = keep(await backend.matmul(P[0], batched(G[0], sizes[1])));
    let zDdot: Tensor | undefined; // 0 at layer 1
    for (let l = 2; l <= L; l++) {
      const nIn = sizes[l - 1], nOut = sizes[l], z = Z[l - 2];
      const flatDot = tensorView(zDot, [rows, nIn]);
      const aDot = keep(await activationJvp(backend, act, z, flatDot));
      const zero = zDdot ?? keep(backend.zeros([rows, nIn]));
      const aDdot = keep(
        await activationJvp(backend, act, z, tensorView(zero, [rows, nIn]), { w: flatDot, s: flatDot }),
      );
      const gl = batched(G[l - 1], nOut);
      const nextDot = keep(await backend.matmul(aDot, W[l - 1]));
      await backend.axpy(1, keep(await backend.matmul(P[l - 1], gl)), nextDot);
      const m = keep(await backend.matmul(batched(aDot, nIn), batched(A[l - 1], nIn), { transposeB: true }));
      const nextDdot = keep(await backend.matmul(aDdot, W[l - 1]));
      await backend.axpy(2, keep(await backend.matmul(m, gl)), nextDdot);
      zDot = nextDot;
      zDdot = nextDdot;
    }
    const fDot = tensorView(zDot, [rows, nOut]);
    const perRow = keep(await backend.rowDot(fDot, fDot));
    await backend.scale(perRow, 2 * scale);
    if (zDdot) {
      await backend.axpy(1, keep(await backend.rowDot(G[L - 1], tensorView(zDdot, [rows, nOut]))), perRow);
    }
    const curvature = await backend.reduce(tensorView(perRow, [K, b]), "sum", { axis: 1 });
    return { curvature, gradientNormSquared, loss };
  } finally {
    backend.dispose(...owned);
  }
}
