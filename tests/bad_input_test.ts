/**
 * Bad input, end to end: each script run as a subprocess with a bad argument ends with a clear
 * message on stderr naming the problem and a non-zero exit, and leaves nothing that looks like
 * a complete result (no done.json in a run directory, no figure files).
 *
 * Add a row when a script gains an option that can be wrong (activation or optimizer names,
 * data directories, dataset files).
 */
import { assert } from "./_assert.ts";

const root = await Deno.makeTempDir({ prefix: "bad-input-" });
const aFile = `${root}/a-file`;
await Deno.writeTextFile(aFile, "not a directory");
await Deno.writeTextFile(`${root}/unknown-key.json`, JSON.stringify({ stepz: 3 }));
await Deno.writeTextFile(`${root}/malformed.json`, "{ steps: ");
await Deno.writeTextFile(`${root}/nan.json`, JSON.stringify({ learningRate: "NaN" }));

const script = (name: string) => new URL(`../scripts/${name}.ts`, import.meta.url).pathname;
const TINY_TOUR = ["--samples", "64", "--dimension", "8", "--walkers", "4", "--steps", "40"];
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
      else if (/(done\.json|\.summary\.json|\.svg|\.vl\.json|index\.html)$/.test(e.name)) found.push(path);
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
  });
}

Deno.test("bad input: cleanup", async () => {
  await Deno.remove(root, { recursive: true });
});
