/**
 * Classification accuracy of a model on the first images of a dataset: the share whose largest output is
 * the label.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { datasetTensors, type ImageDataset, selectSamples } from "../data/dataset.ts";

/** A model that maps a batch of inputs to one row of class scores per sample. */
export interface Classifier {
  forward(params: Tensor, x: Tensor): Promise<Tensor>;
}

/**
 * The accuracy on the first `count` images of `dataset` (normalised like the training data), in [0, 1].
 *
 * @param backend The backend the model runs on.
 * @param model The model.
 * @param params Its parameters.
 * @param dataset The images and labels.
 * @param count How many of the first images to score (at most the dataset's size).
 * @param normalization The per-channel mean and std of the training data.
 * @returns Correct / count (the model gives `dataset.classes` scores per sample).
 */
export async function classificationAccuracy(
  backend: Backend,
  model: Classifier,
  params: Tensor,
  dataset: ImageDataset,
  count: number,
  normalization: { mean: readonly number[]; std: readonly number[] },
): Promise<number> {
  const classes = dataset.classes;
  const first = Array.from({ length: count }, (_, i) => i);
  const test = datasetTensors(backend, selectSamples(dataset, first), { normalization });
  const outputs = await backend.read(await model.forward(params, test.x));
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const row = outputs.subarray(i * classes, i * classes + classes);
    if (row.indexOf(Math.max(...row)) === dataset.labels[i]) correct++;
  }
  backend.dispose(test.x, test.y);
  return correct / count;
}
