/**
 * classificationAccuracy (lib/training/accuracy.ts): the share of the first `count` images whose largest
 * score is the label, with the images normalised as given, on both backends.
 */
import { testBothBackends } from "./_backends.ts";
import { assert } from "./_assert.ts";
import type { Tensor } from "../lib/backend/tensor.ts";
import type { ImageDataset } from "../lib/data/dataset.ts";
import { classificationAccuracy } from "../lib/training/accuracy.ts";

/** Four 1x1x2 images of 3 classes; a "model" whose class scores are (x0, x1, x0 + x1) of each image. */
const DATASET: ImageDataset = {
  name: "tiny",
  images: Uint8Array.from([9, 0, 0, 9, 5, 5, 9, 1]),
  labels: Uint8Array.from([0, 1, 0, 2]),
  shape: [4, 1, 1, 2],
  classes: 3,
};

testBothBackends(
  "classificationAccuracy: the share of the first images whose largest score is the label",
  async (backend) => {
    const seen: number[][] = [];
    const model = {
      forward: async (_params: Tensor, x: Tensor): Promise<Tensor> => {
        const v = await backend.read(x), rows = v.length / 2, scores: number[] = [];
        seen.push(Array.from(v));
        for (let i = 0; i < rows; i++) scores.push(v[2 * i], v[2 * i + 1], v[2 * i] + v[2 * i + 1]);
        return backend.tensor(scores, [rows, 3]);
      },
    };
    const params = backend.tensor([0]);
    const identity = { mean: [0], std: [1 / 255] }; // normalised pixels = the byte values
    // Scores: [9, 0, 9] -> class 0 (first of a tie), [0, 9, 9] -> 1, [5, 5, 10] -> 2, [9, 1, 10] -> 2.
    assert.equal(await classificationAccuracy(backend, model, params, DATASET, 4, identity), 3 / 4);
    assert.equal(await classificationAccuracy(backend, model, params, DATASET, 2, identity), 1);
    assert.equal(seen[1].length, 4, "only the first 2 images are scored");
    assert.deepEqual(seen[0].slice(0, 2), [9, 0], "the images are normalised as given");
    backend.dispose(params);
  },
);
