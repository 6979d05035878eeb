/**
 * Activations exported as `.npy` with their labels: `<name>_activations.npy` (float32 [rows, dims])
 * and `<name>_labels.npy` (int32 [rows]) in a directory, readable by numpy.
 *
 * @module
 */
import { readNpy, writeNpy } from "../io/npy.ts";

/** Exported activations. */
export interface ActivationExport {
  activations: Float32Array;
  labels: Int32Array;
  rows: number;
  dims: number;
}

/**
 * Writes activations and labels.
 *
 * @returns The two paths.
 */
export async function exportActivations(
  dir: string,
  name: string,
  activations: ArrayLike<number>,
  labels: ArrayLike<number>,
  dims: number,
): Promise<{ activations: string; labels: string }> {
  const rows = labels.length;
  if (activations.length !== rows * dims) {
    throw new RangeError(`Cannot export "${name}": ${activations.length} values for ${rows} x ${dims}`);
  }
  await Deno.mkdir(dir, { recursive: true });
  const paths = { activations: `${dir}/${name}_activations.npy`, labels: `${dir}/${name}_labels.npy` };
  await writeNpy(paths.activations, Float32Array.from(activations), [rows, dims]);
  await writeNpy(paths.labels, Int32Array.from(labels), [rows]);
  return paths;
}

/** Reads what {@linkcode exportActivations} wrote. */
export async function importActivations(dir: string, name: string): Promise<ActivationExport> {
  const a = await readNpy(`${dir}/${name}_activations.npy`);
  const l = await readNpy(`${dir}/${name}_labels.npy`);
  return {
    activations: Float32Array.from(a.data),
    labels: Int32Array.from(l.data),
    rows: a.shape[0],
    dims: a.shape[1],
  };
}
