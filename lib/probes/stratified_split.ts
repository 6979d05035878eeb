/**
 * A stratified, seeded train/test split of labelled samples (scikit-learn's `train_test_split(...,
 * stratify=labels)` in spirit: every class keeps its share in both parts).
 *
 * @module
 */
import { PhiloxStream } from "../rng/philox.ts";

/** Row indices of the two parts, each ascending. */
export interface StratifiedSplit {
  train: number[];
  test: number[];
}

/**
 * Splits sample indices per class: each class's indices are shuffled by a Philox stream of `seed`
 * (Fisher-Yates) and its first round(testFraction * count) go to the test part.
 *
 * @param labels Integer class labels.
 * @param testFraction Share of every class in the test part, in (0, 1).
 * @param seed Seed, an integer in [0, 2^32).
 * @returns Train and test indices.
 * @throws {RangeError} On a fraction outside (0, 1) or a label that is not a non-negative integer.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  testFraction: number,
  seed: number,
): StratifiedSplit {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`Cannot split: testFraction is ${testFraction}, must be in (0, 1)`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0) throw new RangeError(`Cannot split: label ${i} is ${y}`);
    if (!byClass.has(y)) byClass.set(y, []);
    byClass.get(y)!.push(i);
  }
  const rng = new PhiloxStream(seed, 0x5911);
  const train: number[] = [], test: number[] = [];
  for (const [y, members] of [...byClass.entries()].sort((a, b) => a[0] - b[0])) {
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform(y, 0, i) * (i + 1));
      [members[i], members[j]] = [members[j], members[i]];
    }
    const cut = Math.round(testFraction * members.length);
    test.push(...members.slice(0, cut));
    train.push(...members.slice(cut));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}
