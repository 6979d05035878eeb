/**
 * float64 reference of the toy 2-D LPL neuron (spec section 3.3, paper Fig. 2), one sequence at a
 * time, written for reading: it is the oracle of kernels/lpl/toy_neuron.wgsl and the benchmark's
 * plain-TypeScript baseline.
 *
 * Data (the notebook's `sample_data` / `next_sequence_element`): batch k holds `batch` parallel
 * sequences; sample b has a cluster label c_b (0: x1 = +B, 1: x1 = -B) and
 * x = (+-B + 0.1 z1, sigma_y z2). Batch 0 puts the first half in cluster 0; batch k >= 1 keeps each
 * label, flipped with probability p, with fresh z1, z2. Philox (lib/rng/philox.ts) with key
 * (seed, stream), counter (block, k, repetition, 0): (z1, z2) of sample b are the Box-Muller pair of
 * lanes (0, 1) (b even) or (2, 3) (b odd) of block floor(b / 2) on TOY_STREAMS.data; its flip is
 * `(word >> 8) < ceil(p 2^24)` of lane b % 4 of block floor(b / 4) on TOY_STREAMS.flip. Every setting
 * shares the draws of a repetition (common random numbers across the sweep).
 *
 * Step k (k = 1..steps): y = w x_k (new batch), y_past = w_past x_{k-1} with w_past = w
 * ("recomputed", the toy notebook) or the previous step's w ("stored", the S2 notebook; Errata 6).
 * The loss (spec 3.1 with M = 1, c_pull = pred, c_push = hebb; the decorrelation term of 3.1 sums
 * over pairs of units, so it is identically 0 for one neuron):
 *   L = pred (1/B) sum_b (y_b - y_past_b)^2 + hebb H(var), var = sum_b (y_b - ybar)^2 / (B - 1),
 *   H = -log(var + 1e-8) ("log", LPL), -var ("naive"), max(0, 1 - sqrt(var + 1e-8)) ("vicreg"), 0 ("none"),
 * with y_past a constant (stop-gradient); SGD with weight decay: w <- w - lr (dL/dw + wd w).
 * Oja: w <- w + lr mean_b[y_b (x_b - y_b w)] - lr wd w. The activity of step k is mean_b |y_b|
 * (before the update), recorded when k % recordEvery == 0 in slot k / recordEvery - 1.
 *
 * @module
 */
import { normalPairFromU32, philox4x32_10, twoPointThreshold, uniformFromU32 } from "../rng/philox.ts";
import {
  TOY_CLUSTER_CENTER,
  TOY_JITTER,
  TOY_STREAMS,
  TOY_VARIANCE_EPSILON,
  type ToyNeuronSetting,
  type ToyNeuronShape,
} from "../../kernels/lpl/toy_neuron_types.ts";

/**
 * The initial weight of a repetition, PyTorch's default `nn.Linear(2, 1)` init U(-1/sqrt 2, 1/sqrt 2)
 * per component: lanes 0 and 1 of block (0, 0, repetition, 0) on TOY_STREAMS.init.
 *
 * @param seed Seed.
 * @param repetition Repetition index.
 * @returns [w1, w2].
 */
export function toyInitialWeights(seed: number, repetition: number): [number, number] {
  const words = philox4x32_10(seed, TOY_STREAMS.init, 0, 0, repetition, 0);
  return [
    (2 * uniformFromU32(words[0]) - 1) * Math.SQRT1_2,
    (2 * uniformFromU32(words[1]) - 1) * Math.SQRT1_2,
  ];
}

/** The standard normals (z1, z2) of sample b of batch k of a repetition. */
export function toySampleNormals(seed: number, repetition: number, k: number, b: number): [number, number] {
  const words = philox4x32_10(seed, TOY_STREAMS.data, Math.floor(b / 2), k, repetition, 0);
  return b % 2 === 0 ? normalPairFromU32(words[0], words[1]) : normalPairFromU32(words[2], words[3]);
}

/** Whether sample b's cluster flips on the way to batch k (k >= 1). */
export function toySampleFlips(seed: number, repetition: number, k: number, b: number, p: number): boolean {
  const words = philox4x32_10(seed, TOY_STREAMS.flip, Math.floor(b / 4), k, repetition, 0);
  return (words[b % 4] >>> 8) < twoPointThreshold(p);
}

/** The input of a sample: x = (+-B + 0.1 z1, sigma_y z2), + for cluster 0. */
export function toyInput(label: number, z: [number, number], sigmaY: number): [number, number] {
  return [(label === 0 ? TOY_CLUSTER_CENTER : -TOY_CLUSTER_CENTER) + TOY_JITTER * z[0], sigmaY * z[1]];
}

/** State of one sequence between steps. */
export interface ToySequenceState {
  /** Current weights. */
  w: [number, number];
  /** Weights of the previous step (the "stored" past output's). */
  wPrevious: [number, number];
  /** Labels of the current batch. */
  labels: Uint8Array;
  /** Inputs of the current batch, [batch, 2]. */
  inputs: Float64Array;
}

/** The state before step 1: initial weights and batch 0. */
export function toyInitialState(shape: ToyNeuronShape, sequence: number): ToySequenceState {
  const repetition = sequence % shape.repetitions;
  const s = shape.settings[Math.floor(sequence / shape.repetitions)];
  const w = toyInitialWeights(shape.seed, repetition);
  const labels = new Uint8Array(shape.batch), inputs = new Float64Array(2 * shape.batch);
  for (let b = 0; b < shape.batch; b++) {
    labels[b] = b < Math.floor(shape.batch / 2) ? 0 : 1;
    inputs.set(toyInput(labels[b], toySampleNormals(shape.seed, repetition, 0, b), s.sigmaY), 2 * b);
  }
  return { w, wPrevious: [...w], labels, inputs };
}

/** The batch variance (1 / (B - 1)) of y = w x over the inputs [B, 2]. */
function outputs(w: readonly number[], inputs: Float64Array): Float64Array {
  const y = new Float64Array(inputs.length / 2);
  for (let b = 0; b < y.length; b++) y[b] = w[0] * inputs[2 * b] + w[1] * inputs[2 * b + 1];
  return y;
}

function meanAndVariance(y: Float64Array): { mean: number; variance: number } {
  let mean = 0;
  for (const v of y) mean += v / y.length;
  let variance = 0;
  for (const v of y) variance += (v - mean) ** 2 / (y.length - 1);
  return { mean, variance };
}

/**
 * The loss L(w) of a non-Oja setting on one pair of batches, y_past = wPast xPrevious held constant.
 *
 * @param s The setting.
 * @param w Weights.
 * @param inputs New batch [B, 2].
 * @param previous Previous batch [B, 2].
 * @param wPast Weights of the past output.
 * @returns L.
 */
export function toyNeuronLoss(
  s: ToyNeuronSetting,
  w: readonly number[],
  inputs: Float64Array,
  previous: Float64Array,
  wPast: readonly number[],
): number {
  const y = outputs(w, inputs), yPast = outputs(wPast, previous);
  let pred = 0;
  for (let b = 0; b < y.length; b++) pred += (y[b] - yPast[b]) ** 2 / y.length;
  const { variance } = meanAndVariance(y);
  const hebb = s.hebb === "log"
    ? -Math.log(variance + TOY_VARIANCE_EPSILON)
    : s.hebb === "naive"
    ? -variance
    : s.hebb === "vicreg"
    ? Math.max(0, 1 - Math.sqrt(variance + TOY_VARIANCE_EPSILON))
    : 0;
  return s.predCoefficient * pred + s.hebbCoefficient * hebb;
}

/**
 * dL/dw of {@linkcode toyNeuronLoss}, from dL/dy_b (spec 3.1 with M = 1):
 * pred (2/B)(y_b - y_past_b); log -(2/(B-1))(y_b - ybar)/(var + eps); naive -(2/(B-1))(y_b - ybar);
 * vicreg -(1/(B-1))(y_b - ybar)/sqrt(var + eps) while 1 - sqrt(var + eps) >= 0, else 0;
 * then dL/dw = sum_b dL/dy_b x_b.
 */
export function toyNeuronGradient(
  s: ToyNeuronSetting,
  w: readonly number[],
  inputs: Float64Array,
  previous: Float64Array,
  wPast: readonly number[],
): [number, number] {
  const y = outputs(w, inputs), yPast = outputs(wPast, previous), B = y.length;
  const { mean, variance } = meanAndVariance(y);
  let hebbFactor = 0; // dL_hebb/dy_b = hebbFactor (y_b - ybar)
  if (s.hebb === "log") hebbFactor = -2 / ((B - 1) * (variance + TOY_VARIANCE_EPSILON));
  else if (s.hebb === "naive") hebbFactor = -2 / (B - 1);
  else if (s.hebb === "vicreg") {
    const sd = Math.sqrt(variance + TOY_VARIANCE_EPSILON);
    hebbFactor = 1 - sd >= 0 ? -1 / ((B - 1) * sd) : 0;
  }
  const g: [number, number] = [0, 0];
  for (let b = 0; b < B; b++) {
    const dy = s.predCoefficient * (2 / B) * (y[b] - yPast[b]) +
      s.hebbCoefficient * hebbFactor * (y[b] - mean);
    g[0] += dy * inputs[2 * b];
    g[1] += dy * inputs[2 * b + 1];
  }
  return g;
}

/** Oja's update lr mean_b[y_b (x_b - y_b w)] (without the weight decay). */
function ojaStep(w: readonly number[], inputs: Float64Array, lr: number): [number, number] {
  const y = outputs(w, inputs), B = y.length;
  const d: [number, number] = [0, 0];
  for (let b = 0; b < B; b++) {
    d[0] += lr * y[b] * (inputs[2 * b] - y[b] * w[0]) / B;
    d[1] += lr * y[b] * (inputs[2 * b + 1] - y[b] * w[1]) / B;
  }
  return d;
}

/**
 * Runs steps stepOffset + 1 .. stepOffset + steps of one sequence in place.
 *
 * @param shape The sweep.
 * @param state The sequence's state after step stepOffset.
 * @param sequence Sequence index (setting * repetitions + repetition).
 * @param stepOffset Steps already run.
 * @param steps Steps to run.
 * @param activity The sequence's activity records (length floor(shape.steps / recordEvery)).
 */
export function toySequenceReference(
  shape: ToyNeuronShape,
  state: ToySequenceState,
  sequence: number,
  stepOffset: number,
  steps: number,
  activity: Float64Array,
): void {
  const repetition = sequence % shape.repetitions;
  const s = shape.settings[Math.floor(sequence / shape.repetitions)];
  const B = shape.batch;
  for (let k = stepOffset + 1; k <= stepOffset + steps; k++) {
    const previous = state.inputs, inputs = new Float64Array(2 * B);
    for (let b = 0; b < B; b += 2) { // one Philox block holds the normals of samples b and b + 1
      const words = philox4x32_10(shape.seed, TOY_STREAMS.data, b / 2, k, repetition, 0);
      const pairs = [normalPairFromU32(words[0], words[1]), normalPairFromU32(words[2], words[3])];
      for (let i = 0; i < 2 && b + i < B; i++) {
        const flips = s.flipProbability > 0 &&
          toySampleFlips(shape.seed, repetition, k, b + i, s.flipProbability);
        if (flips) state.labels[b + i] ^= 1;
        inputs.set(toyInput(state.labels[b + i], pairs[i], s.sigmaY), 2 * (b + i));
      }
    }
    const w = state.w;
    if (k % shape.recordEvery === 0 && k / shape.recordEvery <= activity.length) {
      let sum = 0;
      for (const v of outputs(w, inputs)) sum += Math.abs(v);
      activity[k / shape.recordEvery - 1] = sum / B;
    }
    let next: [number, number];
    if (s.oja) {
      const d = ojaStep(w, inputs, s.learningRate);
      next = [
        w[0] + d[0] - s.learningRate * s.weightDecay * w[0],
        w[1] + d[1] - s.learningRate * s.weightDecay * w[1],
      ];
    } else {
      const wPast = s.pastOutput === "stored" ? state.wPrevious : w;
      const g = toyNeuronGradient(s, w, inputs, previous, wPast);
      next = [
        w[0] - s.learningRate * (g[0] + s.weightDecay * w[0]),
        w[1] - s.learningRate * (g[1] + s.weightDecay * w[1]),
      ];
    }
    state.wPrevious = [w[0], w[1]];
    state.w = next;
    state.inputs = inputs;
  }
}

/** Final weights [sequences, 2] and activity records [sequences, floor(steps / recordEvery)]. */
export interface ToyNeuronRun {
  weights: Float64Array | Float32Array;
  activity: Float64Array | Float32Array;
}

/**
 * Trains every sequence of the sweep, one at a time.
 *
 * @param shape The sweep.
 * @returns Final weights and activity records.
 */
export function toyNeuronReference(shape: ToyNeuronShape): ToyNeuronRun {
  const sequences = shape.settings.length * shape.repetitions;
  const records = Math.floor(shape.steps / shape.recordEvery);
  const weights = new Float64Array(2 * sequences), activity = new Float64Array(sequences * records);
  for (let q = 0; q < sequences; q++) {
    const state = toyInitialState(shape, q);
    toySequenceReference(shape, state, q, 0, shape.steps, activity.subarray(q * records, (q + 1) * records));
    weights.set(state.w, 2 * q);
  }
  return { weights, activity };
}
