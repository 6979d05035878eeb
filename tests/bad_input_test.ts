/**
 * Bad input, in two parts.
 *
 * 1. A property table, in process (fast): every option of every command-line spec a script exports
 *    (train_linear_regression, sweep, figures, and the shared figure-script options) is fed hostile
 *    values (0, -1, 1.5, NaN, Infinity, huge, empty) on the command line and wrong types through
 *    `--config` (a string, null, true, an array, an object). Each is either refused by a `UsageError`
 *    (exit 2) whose one line names the option, or accepted only inside the option's declared range
 *    (and then the script's own check refuses it, naming the option, or accepts it).
 * 2. A representative table of subprocess runs (below): each script run with a bad argument ends
 *    with one `error:` line naming the problem, the exit status of the convention in
 *    lib/cli.ts `EXIT_CODES` (2 usage, 3 data, 4 failed run, 1 failure), no stack trace, and leaves
 *    nothing that looks like a complete result (no done.json in a run directory, no figure files).
 *
 * Add a row when a script gains an option that can be wrong (activation or optimizer names,
 * data directories, dataset files).
 */
import { assert } from "./_assert.ts";
import { testGpu } from "./_backends.ts";
import { type CliSpec, EXIT_CODES, exitCodeOf, type OptionSpec, parseCli, UsageError } from "../lib/cli.ts";
import { figureCli } from "../lib/plot/figure_script.ts";
import {
  checkConfig,
  CLI as TRAIN_CLI,
  defaultConfig as defaultTrain,
  train,
  type TrainConfig,
} from "../scripts/train_linear_regression.ts";
import { CLI as SWEEP_CLI } from "../scripts/sweep.ts";
import { CLI as FIGURES_CLI } from "../scripts/figures.ts";
import { checkTrainConfig, DEFAULT_CONFIGS } from "../scripts/train_fashion_mnist.ts";

const root = await Deno.makeTempDir({ prefix: "bad-input-" });
const aFile = `${root}/a-file`;
await Deno.writeTextFile(aFile, "not a directory");
await Deno.writeTextFile(`${root}/unknown-key.json`, JSON.stringify({ stepz: 3 }));
await Deno.writeTextFile(`${root}/malformed.json`, "{ steps: ");
await Deno.writeTextFile(`${root}/nan.json`, JSON.stringify({ learningRate: "NaN" }));
await Deno.writeTextFile(`${root}/null.json`, "null");
await Deno.writeTextFile(`${root}/array.json`, "[1, 2]");
await Deno.writeTextFile(`${root}/string.json`, '"hello"');

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
  `${root}/sweep-misspelled.json`,
  JSON.stringify({
    name: "bad_input",
    task: new URL("../scripts/train_linear_regression.ts", import.meta.url).pathname + "#sweepTask",
    grid: { lerningRate: [0.05, 1.5] },
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
  /** Exit status (lib/cli.ts EXIT_CODES: 2 usage, 3 data, 4 failed run, 1 failure). */
  code: number;
  /** Skip the row (e.g. it needs a GPU adapter). */
  ignore?: boolean;
  /** Set up before the run (e.g. a run directory to resume). */
  setup?: () => Promise<void>;
  /** Paths that must not exist after the run (no partial output). */
  absent?: string[];
  /** Paths that must exist after the run (labelled partial output). */
  present?: string[];
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
    message: /Cannot write to --out .*a-file\/out: .*a-file is a file, not a directory; choose another --out/,
    code: 2,
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
    message: /--steps is 1.5, must be an integer in \[1, 4294967295\]/,
    code: 2,
  },
  {
    what: "NaN learning rate in --config",
    script: "train_linear_regression",
    args: [...TINY_TRAIN, "--config", `${root}/nan.json`],
    message: /--learning-rate in .*nan.json must be a number > 0, got "NaN"/,
    code: 2,
  },
  {
    what: "zero learning rate",
    script: "train_linear_regression",
    args: [...TINY_TRAIN, "--learning-rate", "0"],
    message: /--learning-rate is 0, must be a number > 0/,
    code: 2,
  },
  {
    what: "unwritable run directory",
    script: "train_linear_regression",
    args: [...TINY_TRAIN, "--backend", "reference", "--out", `${aFile}/run`],
    message: /Cannot create run directory .*a-file\/run: .*; choose another --out/,
    code: 2,
  },
  {
    what: "missing run directory to resume",
    script: "train_linear_regression",
    args: ["--resume", `${root}/no-such-run`],
    message: /Cannot open run directory .*no-such-run: no readable config.json \(it does not exist\)/,
    code: 2,
  },
  {
    what: "truncated checkpoint",
    script: "train_linear_regression",
    args: ["--resume", `${root}/truncated`, "--quiet"],
    message: /Cannot load checkpoint .*truncated\/checkpoint.ckpt: the file is corrupt/,
    code: 3,
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
    code: 2,
  },
  { what: "unknown option", script: "figures", args: ["--ful"], message: /Unknown option '--ful'/, code: 2 },
  {
    what: "information exponent without a He_k activation (k = 7)",
    script: "teacher_student_fig1_overlap",
    args: [...TINY_FIG1, "--k", "7", "--out", `${root}/fig1`],
    message: /Option --k is 7, must be an integer in \[1, 5\]/,
    code: 2,
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
    message: /--k is 0, must be an integer in \[1, 5\]/,
    code: 2,
    absent: [`${root}/fig1`],
  },
  {
    what: "unknown student activation",
    script: "teacher_student_fig2_repetition",
    args: ["--backend", "reference", "--student", "gelu", "--out", `${root}/fig2`],
    message: /Cannot use activation "gelu": unknown name, expected one of linear, he0, .*silu/,
    code: 2,
    absent: [`${root}/fig2`],
  },
  {
    what: "unknown student activation in a list",
    script: "teacher_student_fig3_lr_student_grid",
    args: ["--backend", "reference", "--students", "gelu", "--out", `${root}/fig3`],
    message: /Cannot use activation "gelu": unknown name/,
    code: 2,
    absent: [`${root}/fig3`],
  },
  {
    what: "unknown loss",
    script: "teacher_student_fig3_lr_student_grid",
    args: ["--backend", "reference", "--loss", "hinge", "--out", `${root}/fig3`],
    message: /Cannot use loss "hinge": expected "mse" or "corr"/,
    code: 2,
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
      /Cannot read dataset file ".*no-such-data\/train-images-idx3-ubyte": it does not exist; install it with "apt-get install -y dataset-fashion-mnist".*or give --data-dir/,
    code: 3,
  },
  {
    what: "truncated dataset file",
    script: "train_fashion_mnist",
    args: [...TINY_MLP, "--data-dir", `${root}/truncated-idx`],
    message:
      /Cannot parse IDX file ".*truncated-idx\/train-images-idx3-ubyte": truncated: 3928 bytes, shape \[10, 28, 28\] of uint8 needs 7856; replace the file: install it/,
    code: 3,
    setup: () => truncatedDataset(`${root}/truncated-idx`, false),
  },
  {
    what: "truncated gzipped dataset file",
    script: "train_fashion_mnist",
    args: [...TINY_MLP, "--data-dir", `${root}/truncated-gz`],
    message:
      /Cannot read dataset file ".*truncated-gz\/train-images-idx3-ubyte.gz": its gzip stream is corrupt or truncated \(\d+ bytes on disk; .*\); replace the file: install it with "apt-get/,
    code: 3,
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
    code: 2,
    absent: [`${root}/sweep-absent`],
  },
  {
    what: "spec task without an export name",
    script: "sweep",
    args: ["local", `${root}/sweep-no-export.json`, "--out", `${root}/sweep-bad`, "--quiet"],
    message:
      /Cannot use sweep spec .*sweep-no-export.json: "task" is "..\/m.ts", must be "<module path>#<export name>"/,
    code: 2,
    absent: [`${root}/sweep-bad`],
  },
  {
    what: "zero workers",
    script: "sweep",
    args: ["local", `${root}/sweep.json`, "--out", `${root}/sweep-zero`, "--workers", "0", "--quiet"],
    message: /--workers is 0, must be an integer in \[1, 1024\]/,
    code: 2,
    absent: [`${root}/sweep-zero`],
  },
  {
    what: "unwritable sweep directory",
    script: "sweep",
    args: ["local", `${root}/sweep.json`, "--out", `${aFile}/sweep`, "--quiet"],
    message: /Cannot create sweep directory .*a-file\/sweep/,
    code: 2,
  },
  {
    what: "merge of an unfinished sweep",
    script: "sweep",
    args: ["merge", `${root}/unfinished`],
    message: /Cannot merge sweep "bad_input": 2 of 2 tasks are not complete \(0, 1\)/,
    code: 2,
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
    code: 2,
    absent: [`${root}/unfinished/tasks`],
  },
  // Issue 14 reproductions (one representative per kind; the property table covers every option).
  {
    what: "--config holding null",
    script: "train_linear_regression",
    args: [...TINY_TRAIN, "--config", `${root}/null.json`],
    message: /Cannot use --config .*null.json: it holds null, must be a JSON object of option values/,
    code: 2,
  },
  {
    what: "--config holding an array (figures takes --config)",
    script: "figures",
    args: ["--config", `${root}/array.json`],
    message: /Cannot use --config .*array.json: it holds an array, must be a JSON object/,
    code: 2,
  },
  {
    what: "empty --out",
    script: "train_linear_regression",
    args: [...TINY_TRAIN, "--out", ""],
    message: /Option --out is empty; give a path/,
    code: 2,
  },
  {
    what: "fewer steps than --record-every (would record nothing)",
    script: "train_linear_regression",
    args: [...TINY_TRAIN, "--steps", "5", "--out", `${root}/lr-few-steps`],
    message: /--steps is 5, less than --record-every 10: the run would record no error/,
    code: 2,
    absent: [`${root}/lr-few-steps`],
  },
  {
    what: "a learning rate that diverges",
    script: "train_linear_regression",
    args: [
      ...TINY_TRAIN,
      "--d",
      "8",
      "--walkers",
      "8",
      "--steps",
      "3000",
      "--record-every",
      "100",
      "--learning-rate",
      "5",
      "--backend",
      "reference",
      "--out",
      `${root}/lr-diverged`,
    ],
    message:
      /diverged: the mean error is (Infinity|NaN) at step \d+ \(--learning-rate 5 is too large.*failed.json/,
    code: 4,
    present: [`${root}/lr-diverged/failed.json`, `${root}/lr-diverged/errors.npy`],
  },
  {
    what: "a dimension beyond the adapter's loop limit",
    script: "train_linear_regression",
    args: [
      ...TINY_TRAIN,
      "--d",
      "150000",
      "--walkers",
      "1",
      "--backend",
      "webgpu",
      "--out",
      `${root}/lr-big-d`,
    ],
    message:
      /--d is 150000, the largest this adapter .* runs is \d+; use a smaller --d or --backend reference/,
    code: 2,
    absent: [`${root}/lr-big-d`],
    ignore: !testGpu,
  },
  {
    what: "settings given with --resume",
    script: "train_linear_regression",
    args: ["--resume", `${root}/lr-any`, "--steps", "5", "--learning-rate", "0.1"],
    message:
      /Cannot resume .*lr-any with --steps, --learning-rate: a resumed run keeps the settings in its config.json/,
    code: 2,
  },
  {
    what: "resume of a complete run",
    script: "train_linear_regression",
    args: ["--resume", `${root}/lr-complete`],
    message: /Cannot resume .*lr-complete: the run is already complete \(done.json\)/,
    code: 2,
    setup: async () => {
      await train({ ...defaultTrain, d: 4, walkers: 2, steps: 40, recordEvery: 10, backend: "reference" }, {
        out: `${root}/lr-complete`,
        progress: "quiet",
      });
    },
  },
  {
    what: "a new run into a complete run's directory (no --resume hint)",
    script: "train_linear_regression",
    args: [...TINY_TRAIN, "--backend", "reference", "--out", `${root}/lr-complete`],
    message:
      /Cannot create run directory .*lr-complete: it is not empty, it holds a complete run \(done.json\); choose another --out$/m,
    code: 2,
  },
  {
    what: "--out under a file, checked before computing",
    script: "teacher_student_fig1_overlap",
    args: [...TINY_FIG1, "--out", `${aFile}/fig1`],
    message: /Cannot write to --out .*a-file\/fig1: .*a-file is a file, not a directory/,
    code: 2,
  },
  {
    what: "zero eta0 (said as > 0)",
    script: "teacher_student_fig1_overlap",
    args: [...TINY_FIG1, "--eta0", "0", "--out", `${root}/fig1`],
    message: /Option --eta0 is 0, must be a number > 0$/m,
    code: 2,
    absent: [`${root}/fig1`],
  },
  {
    what: "misspelled grid key",
    script: "sweep",
    args: ["local", `${root}/sweep-misspelled.json`, "--out", `${root}/sweep-misspelled`, "--quiet"],
    message:
      /grid key "lerningRate" is not a setting of the task \(did you mean "learningRate"\?\); its settings are/,
    code: 2,
    absent: [`${root}/sweep-misspelled`],
  },
  {
    what: "negative seed with --out (no directory left)",
    script: "train_fashion_mnist",
    args: [...TINY_MLP, "--seed=-3", "--out", `${root}/fm-seed`],
    message: /Option --seed is -3, must be an integer in \[0, 4294967295\]/,
    code: 2,
    absent: [`${root}/fm-seed`],
  },
  {
    what: "fractional data seed",
    script: "train_fashion_mnist",
    args: [...TINY_MLP, "--data-seed", "1.5", "--out", `${root}/fm-data-seed`],
    message: /--data-seed is 1.5, must be an integer in \[0, 4294967295\]/,
    code: 2,
    absent: [`${root}/fm-data-seed`],
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
  Deno.test({
    name: `bad input to ${c.script} (${c.what}): clear message, exit ${c.code}, nothing complete-looking`,
    ignore: c.ignore,
    fn: async () => {
      await c.setup?.();
      const before = await completeLooking(root);
      const { code, stderr } = await run(c.script, c.args);
      assert.equal(code, c.code, `exit status; stderr:\n${stderr}`);
      // (Mesa's own "error: XDG_RUNTIME_DIR ..." notice, when that variable is unset, is not ours.)
      const errors = stderr.split("\n").filter((line) => /^error: (?!XDG_RUNTIME_DIR)/.test(line));
      assert.equal(errors.length, 1, `one error line; stderr:\n${stderr}`);
      assert.match(errors[0], c.message);
      assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
      assert.doesNotMatch(
        stderr,
        /split the kernel|unroll|PhiloxStream|jackknife|5e-324|readdir/,
        "no internal words",
      );
      assert.deepEqual(await completeLooking(root), before, "no new complete-looking output");
      for (const path of c.absent ?? []) {
        assert.equal(await Deno.stat(path).catch(() => null), null, `${path} must not exist`);
      }
      for (const path of c.present ?? []) {
        assert.ok(await Deno.stat(path).catch(() => null), `${path} must exist`);
      }
    },
  });
}

// ---- Part 1: the property table, in process ----

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Hostile values on the command line, and through `--config` (any JSON type). */
const HOSTILE_FLAGS = ["0", "-1", "1.5", "NaN", "Infinity", "-Infinity", "1e300", "", "abc"];
const HOSTILE_JSON: unknown[] = [0, -1, 1.5, "NaN", 1e300, "", "hello", null, true, [1, 2], { a: 1 }];

/** Whether `value` lies in the option's declared range (what the parser may accept). */
function declaredOk(o: OptionSpec, value: unknown): boolean {
  if (o.type === "boolean") return typeof value === "boolean";
  if (o.type === "string") {
    return typeof value === "string" && (!o.choices || o.choices.includes(value)) &&
      (!o.nonEmpty || value.trim() !== "");
  }
  const v = typeof value === "number"
    ? value
    : typeof value === "string" && value.trim()
    ? Number(value)
    : NaN;
  return Number.isFinite(v) && (!o.integer || Number.isInteger(v)) && (o.min === undefined || v >= o.min) &&
    (o.max === undefined || v <= o.max) && (!o.positive || v > 0);
}

/**
 * Feeds every option of `spec` every hostile value; returns the accepted configs for the script's own
 * check. A refusal must be a UsageError (exit 2) with one line naming the option.
 */
function hostileRun(
  label: string,
  spec: CliSpec,
  scriptCheck?: (config: Record<string, number | string | boolean>, option: string) => void,
): number {
  let tried = 0;
  const file = `${root}/hostile.json`;
  for (const [name, o] of Object.entries(spec.options)) {
    if (name === "config") continue;
    const flag = `--${kebab(name)}`;
    const attempts: { args: string[]; raw: unknown; where: string }[] = [];
    if (o.type !== "boolean") {
      for (const v of HOSTILE_FLAGS) attempts.push({ args: [`${flag}=${v}`], raw: v, where: `${flag}=${v}` });
    }
    for (const v of HOSTILE_JSON) {
      attempts.push({
        args: ["--config", file],
        raw: v,
        where: `--config {"${name}": ${JSON.stringify(v)}}`,
      });
    }
    for (const attempt of attempts) {
      tried++;
      if (attempt.args[0] === "--config") {
        Deno.writeTextFileSync(file, JSON.stringify({ [name]: attempt.raw }));
      }
      let config;
      try {
        config = parseCli(spec, attempt.args);
      } catch (error) {
        const message = (error as Error).message;
        assert.ok(error instanceof UsageError, `${label} ${attempt.where}: ${error}`);
        assert.equal(exitCodeOf(error), EXIT_CODES.usage);
        assert.ok(message.includes(flag), `${label} ${attempt.where}: the message names ${flag}: ${message}`);
        assert.ok(!message.includes("\n"), `${label} ${attempt.where}: one line: ${message}`);
        continue;
      }
      assert.ok(config !== "help");
      // JSON strings for a number option are read as numbers ("1.5" -> 1.5), as on the command line.
      assert.ok(declaredOk(o, attempt.raw), `${label} ${attempt.where}: accepted outside the declared range`);
      if (!scriptCheck) continue;
      try {
        scriptCheck(config, name);
      } catch (error) {
        const message = (error as Error).message;
        assert.equal(exitCodeOf(error), EXIT_CODES.usage, `${label} ${attempt.where}: ${message}`);
        assert.ok(message.includes(flag), `${label} ${attempt.where}: the check names ${flag}: ${message}`);
      }
    }
  }
  return tried;
}

Deno.test("property: every train_linear_regression option refuses hostile values by name, or checks them", () => {
  const tried = hostileRun("train_linear_regression", TRAIN_CLI, (config) => {
    const { resume: _r, quiet: _q, out: _o, config: _c, ...settings } = config;
    checkConfig(settings as TrainConfig);
  });
  assert.ok(tried > 150, `${tried} attempts`);
  // Huge values never reach the trainer: each numeric option at 1e300 is refused somewhere.
  for (const [name, o] of Object.entries(TRAIN_CLI.options)) {
    if (o.type !== "number" || name === "learningRate") continue;
    const parsed = (() => {
      try {
        return parseCli(TRAIN_CLI, [`--${kebab(name)}=1e300`]);
      } catch {
        return null;
      }
    })();
    if (parsed === null || parsed === "help") continue;
    const { resume: _r, quiet: _q, out: _o, config: _c, ...settings } = parsed;
    assert.throws(() => checkConfig(settings as TrainConfig), UsageError, `--${kebab(name)} 1e300`);
  }
});

Deno.test("property: every sweep and figures option refuses hostile values by name", () => {
  const tried = hostileRun("sweep", SWEEP_CLI) + hostileRun("figures", FIGURES_CLI);
  assert.ok(tried > 200, `${tried} attempts`);
  for (const spec of [SWEEP_CLI, FIGURES_CLI]) {
    for (const [name, o] of Object.entries(spec.options)) {
      if (o.type !== "number") continue;
      assert.ok(
        o.integer && o.min !== undefined && o.max !== undefined,
        `--${kebab(name)} declares its range`,
      );
    }
  }
});

Deno.test("property: a figure script's shared options (seed, backend, out, full, quiet) and declared ranges refuse hostile values", () => {
  const spec = figureCli({
    name: "demo_fig1_x",
    description: "demo",
    options: {
      walkers: { type: "number", description: "walkers", integer: true, min: 1, max: 10_000 },
      eta0: { type: "number", description: "prefactor", positive: true },
      student: { type: "string", description: "activation", choices: ["relu", "tanh"] },
    },
    defaultConfig: { walkers: 4, eta0: 0.3, student: "relu", seed: 3 },
  });
  assert.ok(hostileRun("figure script", spec) > 100);
  assert.equal((parseCli(spec, []) as Record<string, unknown>).seed, 3, "the script's seed is the default");
});

Deno.test("property: train_fashion_mnist's check refuses every out-of-range number by option name, before any data", () => {
  const integer: Record<string, [number, number]> = {
    n: [1, 60000],
    batch: [1, 60000],
    steps: [1, Infinity],
    logEvery: [1, Infinity],
    testSamples: [0, 10000],
    seed: [0, 2 ** 32 - 1],
    dataSeed: [0, 2 ** 32 - 1],
  };
  for (const base of Object.values(DEFAULT_CONFIGS)) {
    for (const name of [...Object.keys(integer), "learningRate", "initScale"]) {
      for (const v of [0, -1, 1.5, NaN, Infinity, 1e300]) {
        const config = { ...base, [name]: v, ...(name === "batch" ? { n: 60000 } : {}) };
        const range = integer[name];
        const ok = range
          ? Number.isInteger(v) && v >= range[0] && v <= range[1]
          : Number.isFinite(v) && v > 0;
        let error: unknown = null;
        try {
          checkTrainConfig(config);
        } catch (e) {
          error = e;
        }
        if (ok) {
          assert.equal(error, null, `--${kebab(name)} ${v}`);
          continue;
        }
        assert.ok(error, `--${kebab(name)} ${v} must be refused`);
        assert.equal(exitCodeOf(error), EXIT_CODES.usage, String(error));
        assert.match((error as Error).message, new RegExp(`--${kebab(name)} is `), String(error));
      }
    }
  }
});

Deno.test("bad input: cleanup", async () => {
  await Deno.remove(root, { recursive: true });
});
