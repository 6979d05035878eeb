// The backend-level layer ops (lib/models/conv_ops.ts: conv2d, max-pool, global average pool;
// lib/models/norm_ops.ts: batch norm) against the float64 reference functions on both backends, and
// their argument checks.
import { assert, assertClose, toF32 } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { randomReference } from "../lib/rng/philox.ts";
import * as ops from "../lib/models/conv_ops.ts";
import * as norm from "../lib/models/norm_ops.ts";
import {
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dForwardReference,
  type Conv2dShape,
} from "../lib/reference/conv2d.ts";
import {
  globalAvgPoolBackwardReference,
  globalAvgPoolForwardReference,
  maxPool2dBackwardReference,
  maxPool2dForwardReference,
} from "../lib/reference/pool.ts";
import { batchNormBackwardReference, batchNormForwardReference } from "../lib/reference/batch_norm.ts";

/** Normal values rounded to float32, so both backends see the same inputs. */
function normals(n: number, seed: number, stream = 0): Float64Array {
  return toF32(randomReference(1, n, { seed, stream }) as Float64Array);
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

// The backend-level layer wrappers against the reference functions, on float32 inputs. Each output is a
// sum of at most C k k (conv) or N H W (batch norm) terms: 1e-5 relative of the largest value bounds it.
testBothBackends(
  "conv_ops and norm_ops: conv2d, pools and batch norm match the reference functions",
  async (backend) => {
    const t = (v: Float64Array, shape: number[]) => backend.tensor(v, shape);
    const read = async (tensor: Tensor) => await backend.read(tensor);
    type Tensor = Parameters<Backend["read"]>[0];
    const close = (got: ArrayLike<number>, want: ArrayLike<number>, what: string) =>
      assertClose(
        got,
        want,
        { atol: (backend.name === "webgpu" ? 1e-5 : 1e-14) * Math.max(1, maxAbs(want)) },
        what,
      );

    const conv: Conv2dShape = {
      batch: 2,
      inChannels: 3,
      outChannels: 4,
      height: 7,
      width: 6,
      kernelSize: 3,
      padding: 1,
    };
    const x = normals(2 * 3 * 42, 51),
      w = normals(4 * 3 * 9, 52),
      b = normals(4, 53),
      g = normals(2 * 4 * 42, 54);
    const y = await ops.conv2d(backend, t(x, [2, 126]), t(w, [4, 3, 3, 3]), t(b, [4]), conv);
    assert.deepEqual(y.shape, [2, 4, 7, 6]);
    close(await read(y), conv2dForwardReference(conv, x, w, b), "conv2d");
    const grads = await ops.conv2dBackward(
      backend,
      t(x, [2, 3, 7, 6]),
      t(w, [4, 3, 3, 3]),
      t(g, [2, 4, 7, 6]),
      conv,
    );
    const wantW = conv2dBackwardWeightReference(conv, x, g);
    close(await read(grads.gradInput!), conv2dBackwardInputReference(conv, g, w), "conv2d dx");
    close(await read(grads.gradWeight), wantW.gradWeight, "conv2d dw");
    close(await read(grads.gradBias), wantW.gradBias, "conv2d db");
    const noInput = await ops.conv2dBackward(backend, t(x, [252]), t(w, [108]), t(g, [336]), conv, {
      input: false,
    });
    assert.equal(noInput.gradInput, undefined);

    const pool = { batch: 2, channels: 3, height: 7, width: 6 };
    const py = await ops.maxPool2d(backend, t(x, [2, 3, 7, 6]), pool);
    assert.deepEqual(py.shape, [2, 3, 3, 3]);
    close(await read(py), maxPool2dForwardReference(pool, x), "max pool");
    const pg = normals(2 * 3 * 9, 55);
    close(
      await read(await ops.maxPool2dBackward(backend, t(x, [252]), t(pg, [54]), pool)),
      maxPool2dBackwardReference(pool, x, pg),
      "max pool dx",
    );
    close(
      await read(await ops.globalAvgPool(backend, t(x, [252]), pool)),
      globalAvgPoolForwardReference(pool, x),
      "avg",
    );
    const ag = normals(6, 56);
    close(
      await read(await ops.globalAvgPoolBackward(backend, t(ag, [2, 3]), pool)),
      globalAvgPoolBackwardReference(pool, ag),
      "avg dx",
    );

    const bn = { batch: 2, channels: 3, height: 7, width: 6 };
    const gamma = normals(3, 57), beta = normals(3, 58);
    const runningMean = normals(3, 59), runningVar = Float64Array.from(normals(3, 60), (v) => 0.5 + v * v);
    for (const mode of ["train", "eval"] as const) {
      const options = { mode, runningMean, runningVar, momentum: 0.2 };
      const running = t(Float64Array.from([...runningMean, ...runningVar]), [2, 3]);
      const fwd = await norm.batchNorm(
        backend,
        t(x, [252]),
        t(gamma, [3]),
        t(beta, [3]),
        running,
        bn,
        options,
      );
      const want = batchNormForwardReference(bn, x, gamma, beta, options);
      close(await read(fwd.y), want.y, `batch norm ${mode}`);
      close(await read(running), [...want.runningMean, ...want.runningVar], `batch norm running ${mode}`);
      const stats = mode === "train"
        ? fwd.batchStats!
        : t(Float64Array.from([...runningMean, ...runningVar]), [2, 3]);
      if (mode === "train") close(await read(stats), [...want.mean, ...want.variance], "batch stats");
      const back = await norm.batchNormBackward(
        backend,
        t(x, [252]),
        t(gamma, [3]),
        t(g.subarray(0, 252), [252]),
        stats,
        bn,
        options,
      );
      const wantBack = batchNormBackwardReference(bn, x, gamma, g.subarray(0, 252), options);
      close(await read(back.gradInput), wantBack.dx, `batch norm dx ${mode}`);
      close(await read(back.gradGamma), wantBack.dgamma, `batch norm dgamma ${mode}`);
      close(await read(back.gradBeta), wantBack.dbeta, `batch norm dbeta ${mode}`);
    }

    await assert.rejects(
      () => ops.conv2d(backend, t(x.subarray(0, 251), [251]), t(w, [108]), undefined, conv),
      /x of shape \[251\]/,
    );
    await assert.rejects(
      () => ops.conv2d(backend, t(x, [252]), t(w, [108]), t(b.subarray(0, 3), [3]), conv),
      RangeError,
    );
    await assert.rejects(
      () => ops.maxPool2d(backend, t(x, [252]), { ...pool, height: 1, width: 42 }),
      RangeError,
    );
    const other = backend.name === "webgpu" ? new ReferenceBackend() : backend;
    if (other !== backend) {
      await assert.rejects(() => ops.maxPool2d(backend, other.tensor(x, [252]), pool), TypeError);
    }
  },
);
