/**
 * Regenerates the Fashion-MNIST subset shipped in this folder from the full dataset:
 *
 * ```sh
 * apt-get install -y dataset-fashion-mnist        # or set FASHION_MNIST_DIR
 * deno run -A lib/data/fashion_mnist_subset/regenerate.ts
 * ```
 *
 * A seeded stratified selection ({@linkcode SUBSET_PLAN}): for each class c, `perClass` images drawn
 * without replacement by `seededSubset(count of class c, perClass, seed + c)` from the class's images in
 * file order, then all kept in their original file order. Written as gzipped IDX files (the full
 * dataset's names and format) plus `manifest.json` with the counts, the plan, the source indices (a
 * space-separated string per split) and the
 * SHA-256 of each decompressed IDX file (checked by the loader). Same full data and plan, same files.
 *
 * @module
 */
import { encodeIdx } from "../idx.ts";
import { seededSubset } from "../dataset.ts";
import { FASHION_MNIST_SUBSET_DIR, loadFashionMnist, sha256Hex } from "../fashion_mnist.ts";
import { joinPath } from "../files.ts";

/** The selection: images per class of each split, and the seed. */
export const SUBSET_PLAN = { seed: 2860, perClass: { train: 250, test: 100 } } as const;

/** The source indices of a stratified selection of `perClass` images per class, ascending. */
export function stratifiedIndices(labels: ArrayLike<number>, perClass: number, seed: number): Uint32Array {
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const picked: number[] = [];
  byClass.forEach((members, c) => {
    for (const k of seededSubset(members.length, perClass, seed + c)) picked.push(members[k]);
  });
  return Uint32Array.from(picked.sort((a, b) => a - b));
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Writes the subset's files into `outDir` (this folder by default) from the full dataset. */
export async function regenerateSubset(outDir = FASHION_MNIST_SUBSET_DIR, dataDir?: string): Promise<void> {
  const manifest: Record<string, unknown> = {
    about: "Seeded stratified subset of Fashion-MNIST (Zalando, MIT licence), regenerate.ts writes it",
    plan: SUBSET_PLAN,
    files: {} as Record<string, { sha256: string; shape: number[] }>,
    indices: {} as Record<string, string>,
  };
  for (const split of ["train", "test"] as const) {
    const full = await loadFashionMnist({ split, dataDir, data: "full" });
    const indices = stratifiedIndices(full.labels, SUBSET_PLAN.perClass[split], SUBSET_PLAN.seed);
    const size = 28 * 28, n = indices.length;
    const images = new Uint8Array(n * size), labels = new Uint8Array(n);
    indices.forEach((i, k) => {
      images.set(full.images.subarray(i * size, (i + 1) * size), k * size);
      labels[k] = full.labels[i];
    });
    const prefix = split === "train" ? "train" : "t10k";
    for (
      const [kind, idx] of [["images", encodeIdx(images, [n, 28, 28])], [
        "labels",
        encodeIdx(labels, [n]),
      ]] as const
    ) {
      const name = `${prefix}-${kind}-idx${kind === "images" ? 3 : 1}-ubyte.gz`;
      await Deno.writeFile(joinPath(outDir, name), await gzip(idx));
      (manifest.files as Record<string, unknown>)[name] = {
        sha256: await sha256Hex(idx),
        shape: kind === "images" ? [n, 28, 28] : [n],
      };
    }
    (manifest.indices as Record<string, string>)[split] = Array.from(indices).join(" ");
  }
  const manifestPath = joinPath(outDir, "manifest.json");
  await Deno.writeTextFile(manifestPath, JSON.stringify(manifest) + "\n");
  // The repository's JSON style (deno fmt --check passes).
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", manifestPath] }).output();
}

if (import.meta.main) {
  await regenerateSubset();
  console.log(`Wrote the Fashion-MNIST subset to ${FASHION_MNIST_SUBSET_DIR}`);
}
