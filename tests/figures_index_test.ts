/**
 * `deno task figures --only A` keeps the other figures' cards in index.html (rebuilt from their files
 * on disk), and passes an explicit `--seed` to the figures it runs (issue 14, points 5 and 9).
 */
import { assert } from "./_assert.ts";

Deno.test("figures --only reruns one figure and keeps the others' cards from disk; --seed reaches it", async () => {
  const out = await Deno.makeTempDir({ prefix: "figures-index-" });
  // An earlier gallery run left figure 2's files.
  const earlier = "teacher_student_fig2_repetition";
  await Deno.writeTextFile(
    `${out}/${earlier}.vl.json`,
    JSON.stringify({ description: "Figure two, earlier" }),
  );
  await Deno.writeTextFile(
    `${out}/${earlier}.summary.json`,
    JSON.stringify({
      finalOverlap: 0.75,
      command: `deno run -A scripts/${earlier}.ts`,
      walltimeSeconds: 3.5,
    }),
  );
  await Deno.writeTextFile(`${out}/${earlier}.svg`, "<svg xmlns='http://www.w3.org/2000/svg'/>");
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../scripts/figures.ts", import.meta.url).pathname,
      "--only",
      "00_tour",
      "--tiny",
      "--seed",
      "7",
      "--backend",
      "reference",
      "--quiet",
      "--out",
      out,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(stderr);
  assert.equal(code, 0, log);
  assert.match(log, /1 of 1 figures run, 1 kept from an earlier run/);
  const html = await Deno.readTextFile(`${out}/index.html`);
  const sections = [...html.matchAll(/<section id="([^"]+)">/g)].map((m) => m[1]);
  assert.deepEqual(sections, ["00_tour", earlier], "both figures, in name order");
  assert.match(html, /teacher_student_fig2_repetition <small>\(earlier run\)<\/small>/);
  assert.match(html, /Figure two, earlier/);
  assert.match(html, /finalOverlap = 0\.7500/);
  const summary = JSON.parse(await Deno.readTextFile(`${out}/00_tour.summary.json`));
  assert.match(summary.command, /--seed 7/);
  assert.equal(summary.config.seed, 7, "the seed given replaced testConfig's (1)");
  await Deno.remove(out, { recursive: true });
});
