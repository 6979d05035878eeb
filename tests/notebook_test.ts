/**
 * The example notebook runs in Deno's real Jupyter kernel and displays a Vega-Lite figure inline.
 *
 * Needs `jupyter nbconvert` (Debian: jupyter-nbconvert, jupyter-client, python3-ipykernel); the test
 * installs the Deno kernelspec itself (`deno jupyter --install`). Without Jupyter it is skipped with a
 * notice, except with CI=true, where it fails (.ci/run installs the packages).
 */
import { assert } from "./_assert.ts";
import { IN_CI } from "./_backends.ts";

async function hasNbconvert(): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("jupyter", {
      args: ["nbconvert", "--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return code === 0;
  } catch {
    return false;
  }
}

const available = await hasNbconvert();
if (!available) {
  if (IN_CI) {
    throw new Error(
      "CI=true: the notebook test needs `apt-get install jupyter-nbconvert jupyter-client python3-ipykernel`",
    );
  }
  console.error("jupyter nbconvert not found: the notebook test is skipped");
}

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
}

/** Executes notebooks/figures.ipynb with nbconvert in the Deno kernel; returns every cell's outputs. */
async function executeNotebook(): Promise<Output[]> {
  const dir = await Deno.makeTempDir({ prefix: "notebook-" });
  try {
    const notebooks = new URL("../notebooks/", import.meta.url).pathname;
    const run = await new Deno.Command("jupyter", {
      args: [
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.kernel_name=deno",
        "--ExecutePreprocessor.timeout=180",
        "--output",
        `${dir}/executed.ipynb`,
        "figures.ipynb",
      ],
      cwd: notebooks,
      stdout: "piped",
      stderr: "piped",
      env: { PYDEVD_DISABLE_FILE_VALIDATION: "1" },
    }).output();
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
    const executed = JSON.parse(await Deno.readTextFile(`${dir}/executed.ipynb`));
    return executed.cells.flatMap((c: { outputs?: Output[] }) => c.outputs ?? []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "notebooks/figures.ipynb executes in the Deno Jupyter kernel and shows a Vega-Lite figure",
  ignore: !available,
  fn: async () => {
    const install = await new Deno.Command(Deno.execPath(), {
      args: ["jupyter", "--install", "--force"],
      stdout: "null",
      stderr: "piped",
    })
      .output();
    assert.equal(install.code, 0, new TextDecoder().decode(install.stderr));
    // One retry: in one of two full CI runs the display cell's output was missing with no error (a race
    // between the kernel's messages and nbconvert, not reproduced in isolation); the first attempt's
    // outputs are printed so the flake stays visible.
    let figure: Output | undefined;
    for (let attempt = 1; attempt <= 2 && !figure; attempt++) {
      const outputs = await executeNotebook();
      assert.ok(!outputs.some((o) => o.output_type === "error"), "a cell raised an error");
      figure = outputs.find((o) => o.data?.["application/vnd.vegalite.v6+json"]);
      if (!figure) {
        const seen = outputs.map((o) => `${o.output_type}: ${Object.keys(o.data ?? {}).join(", ")}`);
        console.warn(`attempt ${attempt}: no Vega-Lite output; outputs were [${seen.join("; ")}]`);
      }
    }
    assert.ok(figure, "no cell displayed a Vega-Lite v6 spec (twice)");
    assert.match(String(figure.data!["image/svg+xml"]), /<svg/);
  },
});
