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
      const outputs = executed.cells.flatMap((c: { outputs?: { output_type: string; data?: object }[] }) =>
        c.outputs ?? []
      );
      assert.ok(
        !outputs.some((o: { output_type: string }) => o.output_type === "error"),
        "a cell raised an error",
      );
      const figure = outputs.find((o: { data?: Record<string, unknown> }) =>
        o.data?.["application/vnd.vegalite.v6+json"]
      );
      assert.ok(figure, "no cell displayed a Vega-Lite v6 spec");
      assert.match(String((figure.data as Record<string, string>)["image/svg+xml"]), /<svg/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
