/**
 * The heavy-ball momentum step is written in two kernels: kernels/optim/update.wgsl (KIND 1, lib/optim's
 * `momentum`) and kernels/enhanced_sgd/update.wgsl (EnhancedSGD, which fuses its per-tensor centering, its
 * GPU-resident clip bound and its noise into the same pass). With EnhancedSGD's extras off (no centering, the
 * clip bound at float32's largest value, no noise) and the optim row at gradWeight 1, l2 0, no clipping, both
 * compute b = fma(momentum, b, g), p = fma(-lr, b, p decay) per element: this test holds them to the same
 * bits (weights and momentum buffer) over several steps, from a zero buffer (optim's first step) and from a
 * non-zero one, with decoupled decay. Why there are two: see kernels/enhanced_sgd/update.wgsl's header.
 */
import { testGpuOnly } from "./_backends.ts";
import { assertExact, testValues } from "./_assert.ts";
import { createBuffer, readBuffer, uploadBuffer, writeBuffer } from "../lib/gpu/buffers.ts";
import type { GpuContext } from "../lib/gpu/device.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";
import { encodeOptimizerUpdate, uploadTileTable } from "../kernels/optim/optim.ts";
import {
  createEsgdBuffers,
  decodeState,
  destroyEsgdBuffers,
  encodeEnhancedSgdUpdate,
  encodeState,
} from "../kernels/enhanced_sgd/enhanced_sgd.ts";

/** float32's largest finite value: EnhancedSGD's clip bound when clipping is off. */
const NO_CLIP = 3.4028234663852886e38;

/** Weights and momentum buffer after `steps` momentum steps of one kernel, as float32 arrays. */
async function run(
  gpu: GpuContext,
  kernel: "optim" | "enhanced_sgd",
  setting: { n: number; lr: number; momentum: number; decay: number; steps: number; startVelocity: boolean },
): Promise<{ weights: Float32Array; velocity: Float32Array }> {
  const { n } = setting;
  const weights = uploadBuffer(gpu, Float32Array.from(testValues(n, 3)), "agree weights");
  const velocity = uploadBuffer(
    gpu,
    setting.startVelocity ? Float32Array.from(testValues(n, 4, -0.5, 0.5)) : new Float32Array(n),
    "agree velocity",
  );
  const gradient = createBuffer(gpu, n * 4, "agree gradient");
  const rec = new CommandRecorder(gpu);
  const optimTiles = uploadTileTable(gpu, [{ begin: 0, end: n, group: 0 }]);
  const esgd = createEsgdBuffers(gpu, [{ begin: 0, end: n }]);
  const state = decodeState(new Float32Array(15).buffer);
  writeBuffer(gpu, esgd.state, encodeState({ ...state, clip: NO_CLIP }));
  try {
    for (let step = 0; step < setting.steps; step++) {
      writeBuffer(gpu, gradient, Float32Array.from(testValues(n, 10 + step, -2, 2)));
      if (kernel === "optim") {
        await encodeOptimizerUpdate(rec, {
          rule: "momentum",
          weights,
          gradient,
          first: velocity,
          tiles: optimTiles.buffer,
          tileCount: optimTiles.tileCount,
          groups: [{
            lr: setting.lr,
            l2: 0,
            decay: setting.decay,
            momentum: setting.momentum,
            gradWeight: 1,
            beta2: 0,
            gradSquaredWeight: 0,
            eps: 0,
            stepSize: 0,
            invSqrtBias2: 0,
          }],
          firstStep: step === 0 && !setting.startVelocity,
        });
      } else {
        await encodeEnhancedSgdUpdate(rec, esgd, { weights, gradient, velocity }, {
          lr: setting.lr,
          momentum: setting.momentum,
          centering: false,
          noiseScale: 0,
          decay: setting.decay,
        });
      }
      rec.flush();
    }
    return {
      weights: new Float32Array(await readBuffer(gpu, weights)),
      velocity: new Float32Array(await readBuffer(gpu, velocity)),
    };
  } finally {
    destroyEsgdBuffers(esgd);
    for (const b of [weights, velocity, gradient, optimTiles.buffer]) b.destroy();
  }
}

for (const startVelocity of [false, true]) {
  testGpuOnly(
    `heavy-ball momentum: optim's and EnhancedSGD's update kernels agree bit for bit (${
      startVelocity ? "non-zero" : "zero"
    } starting buffer, decoupled decay, several tiles)`,
    async (gpu) => {
      // 9000 elements: two EnhancedSGD tiles (4096) and many optim tiles (512), with ragged ends.
      const setting = { n: 9000, lr: 0.03, momentum: 0.9, decay: 1 - 0.03 * 0.01, steps: 4, startVelocity };
      const optim = await run(gpu, "optim", setting);
      const esgd = await run(gpu, "enhanced_sgd", setting);
      assertExact(esgd.velocity, optim.velocity, "momentum buffer");
      assertExact(esgd.weights, optim.weights, "weights");
      // Not vacuous: the weights moved.
      const start = Float32Array.from(testValues(setting.n, 3));
      if (optim.weights.every((w, i) => w === start[i])) throw new Error("the weights did not move");
    },
  );
}
