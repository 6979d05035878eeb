/**
 * Bad input, end to end: each script run as a subprocess with a bad argument ends with a clear
 * message on stderr naming the problem and a non-zero exit, and leaves nothing that looks like
 * a complete result (no done.json in a run directory, no figure files).
 *
 * Add a row when a script gains an option that can be wrong (activation or optimizer names,
 * data directories, dataset files). No script has an optimizer option yet.
 */
import { assert } from "./_assert.ts";

const root = await Deno.makeTempDir({ prefix: "bad-input-" });
const aFile = `${root}/a-file`;
await Deno.writeTextFile(aFile, "not a directory");
await Deno.writeTextFile(`${root}/unknown-key.json`, JSON.stringify({ stepz: 3 }));
await Deno.writeTextFile(`${root}/malformed.json`, "{ steps: ");
await Deno.writeTextFile(`${root}/nan.json`, JSON.stringify({ learningRate: "NaN" }));

await Deno.writeTextFile(
  `${root}/sweep.json`,
  JSON.stringify({
    name: "bad_input",
    task: new URL("../scripts/train_linear_regression.ts", import.meta.url).pathname + "#sweepTask",
    grid: { d: [2, 3] },
    seeds: [0],
    fixed: { walkers: 1, steps: 20, recordEvery: 10, backend: "reference" },
  }),
);
await Deno.writeTextFile(
  `${root}/sweep-no-export.json`,
  JSON.stringify({ name: "bad_input", task: "../m.ts", grid: { d: [2] }, seeds: [0] }),
);

/** An IDX file's bytes: big-endian magic 0x0000080<dims>, extents, then zero uint8 values. */
function idx(shape: number[]): Uint8Array {
  const header = 4 + 4 * shape.length;
  const bytes = new Uint8Array(header + shape.reduce((p, n) => p * n, 1));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x800 + shape.length);
  shape.forEach((n, i) => view.setUint32(4 + 4 * i, n));
  return bytes;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A Fashion-MNIST directory whose training images file is cut in half (plain or gzipped). */
async function truncatedDataset(dir: string, gzipped: boolean): Promise<void> {
  await Deno.mkdir(dir);
  const images = gzipped ? await gzip(idx([10, 28, 28])) : idx([10, 28, 28]);
  const labels = gzipped ? await gzip(idx([10])) : idx([10]);
  const gz = gzipped ? ".gz" : "";
  await Deno.writeFile(`${dir}/train-images-idx3-ubyte${gz}`, images.subarray(0, images.length >> 1));
  await Deno.writeFile(`${dir}/train-labels-idx1-ubyte${gz}`, labels);
}

const script = (name: string) => new URL(`../scripts/${name}.ts`, import.meta.url).pathname;
const TINY_TOUR = ["--samples", "64", "--dimension", "8", "--walkers", "4", "--steps", "40"];
const TINY_MLP = [
  "--n",
  "64",
  "--batch",
  "16",
  "--steps",
  "2",
  "--test-samples",
  "0",
  "--backend",
  "reference",
];
const TINY_FIG1 = ["--dims", "8", "--walkers", "2", "--alpha", "1", "--backend", "reference"];
const TINY_TRAIN = ["--d", "4", "--walkers", "2", "--steps", "40", "--record-every", "10", "--quiet"];

interface Case {
  what: string;
  script: string;
  args: string[];
  /** What stderr must say. */
  message: RegExp;
  /** Exit status (2: usage error, 1: failure). */
  code: number;
  /** Set up before the run (e.g. a run directory to resume). */
  setup?: () => Promise<void>;
  /** Paths that must not exist after the run (no partial output). */
  absent?: string[];
}

const CASES: Case[] = [
  {
    what: "negative size",
    script: "00_tour",
    args: ["--samples", "-5"],
    message: /samples >= dimension >= 2, got -5/,
    code: 2,
  },
  {
    what: "NaN learning rate",
    script: "00_tour",
    args: ["--learning-rate", "NaN"],
    message: /--learning-rate\s+must be a finite number, got "NaN"/,
    code: 2,
  },
  {
    what: "unknown option",
    script: "00_tour",
    args: ["--learning-rat", "0.1"],
    message: /Unknown option '--learning-rat'/,
    code: 2,
  },
  {
    what: "unknown backend",
    script: "00_tour",
    args: ["--backend", "cuda"],
    message: /--backend\s+must be one of auto, webgpu, reference, got "cuda"/,
    code: 2,
  },
  {
    what: "missing --config file",
    script: "00_tour",
    args: ["--config", `${root}/absent.json`],
    message: /Cannot read --config .*absent.json/,
    code: 2,
  },
  {
    what: "malformed --config file",
    script: "00_tour",
    args: ["--config", `${root}/malformed.json`],
    message: /Cannot read --config .*malformed.json/,
    code: 2,
  },
  {
    what: "unknown key in --config",
    script: "00_tour",
    args: ["--config", `${root}/unknown-key.json`],
    message: /Unknown option "stepz" in --config/,
    code: 2,
  },
  {
    what: "unwritable output directory",
    script: "00_tour",
    args: [...TINY_TOUR, "--out", `${aFile}/out`],
    message: /cannot create directory .*a-file\/out/,
    code: 1,
  },
  {
    what: "negative size",
    script: "train_linear_regression",
    args: [...TINY_TRAIN, "--d", "-3"],
    message: /--d is -3, must be an integer >= 1/,
    code: 2,
  },
  {
    what: "fractional steps",
    script: "train_linear_regression",
    args: [...TINY_TRAIN, "--steps", "1.5"],
    message: /--steps is 1.5, must be an integer >= 1/,
    code: 2,
  },
  {
    what: "NaN learning rate in --config",
    script: "train_linear_regression",
    args: [...TINY_TRAIN, "--config", `${root}/nan.json`],
    message: /--learning-rate in .*nan.json must be a finite number, got "NaN"/,
    code: 2,
  },
  {
    what: "zero learning rate",
    script: "train_linear_regression",
    args: [...TINY_TRAIN, "--learning-rate", "0"],
    message: /--learning-rate is 0, must be a finite number > 0/,
    code: 2,
  },
  {
    what: "unwritable run directory",
    script: "train_linear_regression",
    args: [...TINY_TRAIN, "--backend", "reference", "--out", `${aFile}/run`],
    message: /Cannot create run directory .*a-file\/run/,
    code: 1,
  },
  {
    what: "missing run directory to resume",
    script: "train_linear_regression",
    args: ["--resume", `${root}/no-such-run`],
    message: /Cannot open run directory .*no-such-run: no readable config.json/,
    code: 1,
  },
  {
    what: "truncated checkpoint",
    script: "train_linear_regression",
    args: ["--resume", `${root}/truncated`, "--quiet"],
    message: /Cannot load checkpoint .*truncated\/checkpoint.ckpt: the file is corrupt/,
    code: 1,
    setup: async () => {
      const make = await run("train_linear_regression", [
        ...TINY_TRAIN,
        "--backend",
        "reference",
        "--checkpoint-every",
        "10",
        "--out",
        `${root}/truncated`,
      ]);
      assert.equal(make.code, 0, make.stderr);
      await Deno.remove(`${root}/truncated/done.json`); // pretend it was interrupted
      const bytes = await Deno.readFile(`${root}/truncated/checkpoint.ckpt`);
      await Deno.writeFile(`${root}/truncated/checkpoint.ckpt`, bytes.subarray(0, bytes.length >> 1));
    },
  },
  {
    what: "no figure matches --only",
    script: "figures",
    args: ["--only", "no-such-figure", "--out", `${root}/figures`],
    message: /No figure script matches --only "no-such-figure"/,
    code: 1,
  },
  { what: "unknown option", script: "figures", args: ["--ful"], message: /Unknown option '--ful'/, code: 2 },
  {
    what: "unknown activation (He_k teacher with k = 7)",
    script: "teacher_student_fig1_overlap",
    args: [...TINY_FIG1, "--k", "7", "--out", `${root}/fig1`],
    message: /Cannot use activation "he7": unknown name, expected one of linear, he0, .*silu/,
    code: 1,
    absent: [`${root}/fig1`],
  },
  {
    what: "negative size",
    script: "teacher_student_fig1_overlap",
    args: [...TINY_FIG1, "--dims=-4", "--out", `${root}/fig1`],
    message: /--dims has entry "-4", each must be an integer >= 1/,
    code: 2,
    absent: [`${root}/fig1`],
  },
  {
    what: "zero walkers",
    script: "teacher_student_fig1_overlap",
    args: [...TINY_FIG1, "--walkers", "0", "--out", `${root}/fig1`],
    message: /--walkers is 0, must be an integer >= 1/,
    code: 2,
    absent: [`${root}/fig1`],
  },
  {
    what: "zero information exponent",
    script: "teacher_student_fig1_overlap",
    args: [...TINY_FIG1, "--k", "0", "--out", `${root}/fig1`],
    message: /--k is 0, must be an integer >= 1/,
    code: 2,
    absent: [`${root}/fig1`],
  },
  {
    what: "unknown student activation",
    script: "teacher_student_fig2_repetition",
    args: ["--backend", "reference", "--student", "gelu", "--out", `${root}/fig2`],
    message: /Cannot use activation "gelu": unknown name, expected one of linear, he0, .*silu/,
    code: 1,
    absent: [`${root}/fig2`],
  },
  {
    what: "unknown student activation in a list",
    script: "teacher_student_fig3_lr_student_grid",
    args: ["--backend", "reference", "--students", "gelu", "--out", `${root}/fig3`],
    message: /Cannot use activation "gelu": unknown name/,
    code: 1,
    absent: [`${root}/fig3`],
  },
  {
    what: "unknown loss",
    script: "teacher_student_fig3_lr_student_grid",
    args: ["--backend", "reference", "--loss", "hinge", "--out", `${root}/fig3`],
    message: /Cannot use loss "hinge": expected "mse" or "corr"/,
    code: 1,
    absent: [`${root}/fig3`],
  },
  {
    what: "unknown preset (activation family)",
    script: "train_fashion_mnist",
    args: [...TINY_MLP, "--preset", "mlp_gelu"],
    message: /--preset\s+must be one of mlp, .*mlp_tanh.*, got "mlp_gelu"/,
    code: 2,
  },
  {
    what: "unknown loss",
    script: "train_fashion_mnist",
    args: [...TINY_MLP, "--loss", "hinge"],
    message: /--loss\s+must be one of squared, crossEntropy, got "hinge"/,
    code: 2,
  },
  {
    what: "missing data directory",
    script: "train_fashion_mnist",
    args: [...TINY_MLP, "--data-dir", `${root}/no-such-data`],
    message:
      /Cannot read dataset file ".*no-such-data\/train-images-idx3-ubyte": it does not exist; install it with "apt-get install -y dataset-fashion-mnist"/,
    code: 1,
  },
  {
    what: "truncated dataset file",
    script: "train_fashion_mnist",
    args: [...TINY_MLP, "--data-dir", `${root}/truncated-idx`],
    message:
      /Cannot parse IDX file ".*truncated-idx\/train-images-idx3-ubyte": truncated: 3928 bytes, shape \[10, 28, 28\] of uint8 needs 7856/,
    code: 1,
    setup: () => truncatedDataset(`${root}/truncated-idx`, false),
  },
  {
    what: "truncated gzipped dataset file",
    script: "train_fashion_mnist",
    args: [...TINY_MLP, "--data-dir", `${root}/truncated-gz`],
    message:
      /Cannot read dataset file ".*truncated-gz\/train-images-idx3-ubyte.gz": its gzip stream is corrupt or truncated/,
    code: 1,
    setup: () => truncatedDataset(`${root}/truncated-gz`, true),
  },
  {
    what: "unknown command",
    script: "sweep",
    args: ["run", `${root}/sweep.json`],
    message: /Unknown sweep command "run": use one of local, slurm, task, merge/,
    code: 2,
  },
  {
    what: "missing spec file",
    script: "sweep",
    args: ["local", `${root}/absent.json`, "--out", `${root}/sweep-absent`, "--quiet"],
    message: /Cannot read sweep spec .*absent.json/,
    code: 1,
    absent: [`${root}/sweep-absent`],
  },
  {
    what: "spec task without an export name",
    script: "sweep",
    args: ["local", `${root}/sweep-no-export.json`, "--out", `${root}/sweep-bad`, "--quiet"],
    message:
      /Cannot use sweep spec .*sweep-no-export.json: "task" is "..\/m.ts", must be "<module path>#<export name>"/,
    code: 1,
    absent: [`${root}/sweep-bad`],
  },
  {
    what: "zero workers",
    script: "sweep",
    args: ["local", `${root}/sweep.json`, "--out", `${root}/sweep-zero`, "--workers", "0", "--quiet"],
    message: /--workers is 0, must be an integer >= 1/,
    code: 2,
    absent: [`${root}/sweep-zero`],
  },
  {
    what: "unwritable sweep directory",
    script: "sweep",
    args: ["local", `${root}/sweep.json`, "--out", `${aFile}/sweep`, "--quiet"],
    message: /Cannot create sweep directory .*a-file\/sweep/,
    code: 1,
  },
  {
    what: "merge of an unfinished sweep",
    script: "sweep",
    args: ["merge", `${root}/unfinished`],
    message: /Cannot merge sweep "bad_input": 2 of 2 tasks are not complete \(0, 1\)/,
    code: 1,
    setup: async () => {
      const plan = await run("sweep", ["slurm", `${root}/sweep.json`, "--out", `${root}/unfinished`]);
      assert.equal(plan.code, 0, plan.stderr);
    },
    absent: [`${root}/unfinished/merged.json`],
  },
  {
    what: "task index out of range",
    script: "sweep",
    args: ["task", `${root}/unfinished`, "--index", "2", "--quiet"],
    message: /Cannot run task 2 of sweep "bad_input": it has tasks 0..1/,
    code: 1,
    absent: [`${root}/unfinished/tasks`],
  },
];

async function run(name: string, args: string[]): Promise<{ code: number; stderr: string }> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script(name), ...args],
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

/** Paths under `dir` that look like finished results. */
async function completeLooking(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const path = `${d}/${e.name}`;
      if (e.isDirectory) await walk(path);
      else if (/(done\.json|merged\.json|\.summary\.json|\.svg|\.vl\.json|index\.html)$/.test(e.name)) {
        found.push(path);
      }
    }
  };
  await walk(dir);
  return found;
}

for (const c of CASES) {
  Deno.test(`bad input to ${c.script} (${c.what}): clear message, exit ${c.code}, nothing complete-looking`, async () => {
    await c.setup?.();
    const before = await completeLooking(root);
    const { code, stderr } = await run(c.script, c.args);
    assert.equal(code, c.code, `exit status; stderr:\n${stderr}`);
    assert.match(stderr, /^error: /m, "the message starts with error:");
    assert.match(stderr, c.message);
    assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
    assert.deepEqual(await completeLooking(root), before, "no new complete-looking output");
    for (const path of c.absent ?? []) {
      assert.equal(await Deno.stat(path).catch(() => null), null, `${path} must not exist`);
    }
  });
}

Deno.test("bad input: cleanup", async () => {
  await Deno.remove(root, { recursive: true });
});
