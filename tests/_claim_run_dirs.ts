/**
 * Helper of tests/run_dir_concurrency_test.ts: for i = 0 .. n-1, waits for `<root>/go<i>`, then tries to
 * create the run directory `<root>/t<i>` (both workers start each trial together), and prints the
 * indices it claimed as JSON.
 *
 * `deno run -A tests/_claim_run_dirs.ts <root> <n> <tag>`
 */
import { RunDir } from "../lib/io/run_dir.ts";

const [root, count, tag] = Deno.args;
const claimed: number[] = [];
for (let i = 0; i < Number(count); i++) {
  while (!(await Deno.stat(`${root}/go${i}`).then(() => true, () => false))) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  try {
    await RunDir.create(`${root}/t${i}`, {
      name: "race",
      parameters: { tag },
      seed: 0,
      backend: "reference",
    });
    claimed.push(i);
  } catch (error) {
    if (
      !/Cannot create run directory .*: it is not empty, it holds an unfinished run/.test(
        (error as Error).message,
      )
    ) {
      throw error;
    }
  }
}
console.log(JSON.stringify(claimed));
