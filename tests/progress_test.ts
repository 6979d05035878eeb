import { assert } from "./_assert.ts";
import { formatDuration, formatRate, Progress, setProgressQuiet } from "../lib/progress.ts";

/** A fake stderr that records what was written, with a settable clock. */
function fake(terminal: boolean) {
  const chunks: string[] = [];
  const clock = { ms: 0 };
  const sink = {
    writeSync(bytes: Uint8Array) {
      chunks.push(new TextDecoder().decode(bytes));
      return bytes.length;
    },
    isTerminal: () => terminal,
  };
  return { chunks, clock, sink, now: () => clock.ms };
}

Deno.test("durations and rates are formatted compactly", () => {
  assert.deepEqual(
    [0, 42.4, 59.6, 185, 3600 * 2 + 7 * 60 + 10, 86400 * 3 + 3600 * 4].map(formatDuration),
    ["0s", "42s", "1m00s", "3m05s", "2h07m", "3d04h"],
  );
  assert.deepEqual([NaN, -1, Infinity].map(formatDuration), ["--", "--", "--"]);
  assert.equal(formatRate(0.5, "steps"), "0.500 steps/s");
  assert.equal(formatRate(950.4, "steps"), "950 steps/s");
  assert.equal(formatRate(1234, "steps"), "1.23k steps/s");
  assert.equal(formatRate(4.56e6, "samples"), "4.56M samples/s");
  assert.equal(formatRate(2e9, "it"), "2.00G it/s");
  assert.equal(formatRate(0, "it"), "-- it/s");
});

Deno.test("off a terminal: no bar, no control characters, one status line per interval and one at the end", () => {
  const f = fake(false);
  const p = new Progress({
    total: 1000,
    label: "train",
    unit: "steps",
    statusIntervalSeconds: 10,
    sink: f.sink,
    now: f.now,
  });
  assert.equal(p.mode, "lines");
  for (let step = 100; step <= 1000; step += 100) {
    f.clock.ms += 2500; // 100 steps per 2.5 s: 40 steps/s
    p.update(step);
  }
  p.finish();
  p.finish(); // idempotent
  const text = f.chunks.join("");
  assert.ok(!text.includes("\r") && !text.includes("\u001b"), JSON.stringify(text));
  const lines = text.trimEnd().split("\n");
  // 25 s of work with a 10 s interval: lines at 10 s and 20 s, then the final one.
  assert.deepEqual(lines, [
    "train: 400/1000 steps (40.0%), 40.0 steps/s, ETA 15s, elapsed 10s",
    "train: 800/1000 steps (80.0%), 40.0 steps/s, ETA 5s, elapsed 20s",
    "train: 1000/1000 steps (100.0%), 40.0 steps/s, ETA 0s, elapsed 25s",
  ]);
});

Deno.test("on a terminal: a bar redrawn in place with rate and ETA, throttled, ended by a newline", () => {
  const f = fake(true);
  const p = new Progress({
    total: 200,
    label: "sweep",
    unit: "tasks",
    start: 50,
    sink: f.sink,
    now: f.now,
    barWidth: 10,
  });
  assert.equal(p.mode, "bar");
  f.clock.ms = 1000;
  p.update(100); // 50 tasks in 1 s since start (the 50 done before this process do not count)
  p.update(101); // within 100 ms of the last draw: not drawn
  assert.equal(f.chunks.length, 1);
  assert.equal(f.chunks[0], "\r\x1b[2Ksweep [#####-----]  50.0% 100/200 tasks  50.0 tasks/s  ETA 2s");
  f.clock.ms = 2000;
  p.update(200);
  p.finish();
  // The final state is on screen already: it is drawn once, then its line ended.
  assert.ok(f.chunks.at(-2)!.endsWith("100.0% 200/200 tasks  75.0 tasks/s  ETA 0s"), f.chunks.at(-2));
  assert.equal(f.chunks.at(-1), "\n");
  assert.equal(f.chunks.join("").split("200/200").length - 1, 1, "the final bar is drawn once");
});

Deno.test("on a terminal: printed lines erase the bar first (never glued to it), and the bar fits the width", () => {
  const f = fake(true);
  const printed: string[] = [];
  const original = console.log;
  // What console.log wrote, in order with the bar's writes (the hook wraps this function).
  console.log = (...args: unknown[]) => {
    f.chunks.push(`<stdout:${args.join(" ")}>`);
    printed.push(args.join(" "));
  };
  try {
    const p = new Progress({ total: 10, label: "train", sink: f.sink, now: f.now, columns: () => 30 });
    f.clock.ms = 1000;
    p.update(5);
    console.log("step 5: batch loss 0.6669");
    p.update(6); // drawn at once after a printed line, even within 100 ms
    f.clock.ms = 2000;
    p.update(10);
    p.finish();
    console.log("after");
    assert.deepEqual(printed, ["step 5: batch loss 0.6669", "after"]);
    const text = f.chunks.join("");
    const erase = "\r\x1b[2K";
    assert.ok(text.includes(`${erase}<stdout:step 5: batch loss 0.6669>${erase}train`), JSON.stringify(text));
    // After finish the console is released: "after" comes with no erase before it.
    assert.ok(text.endsWith("\n<stdout:after>"), JSON.stringify(text));
    for (const chunk of f.chunks.filter((c) => c.startsWith("\r\x1b[2Ktrain"))) {
      assert.ok(chunk.length - "\r\x1b[2K".length <= 29, `cut to the width: ${JSON.stringify(chunk)}`);
    }
  } finally {
    console.log = original;
  }
});

Deno.test("--quiet (or mode quiet) writes nothing; an unknown total is refused", () => {
  for (const quietBy of ["global", "mode"]) {
    const f = fake(true);
    if (quietBy === "global") setProgressQuiet(true);
    try {
      const p = new Progress({
        total: 10,
        sink: f.sink,
        now: f.now,
        mode: quietBy === "mode" ? "quiet" : "auto",
      });
      assert.equal(p.mode, "quiet");
      for (let i = 0; i < 10; i++) {
        f.clock.ms += 60_000;
        p.tick();
      }
      p.finish();
    } finally {
      setProgressQuiet(false);
    }
    assert.deepEqual(f.chunks, [], quietBy);
  }
  assert.throws(() => new Progress({ total: NaN }), /total is NaN, must be >= 0/);
});
