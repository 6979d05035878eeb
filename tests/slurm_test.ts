/**
 * A sweep runs on a real SLURM job array as well as locally (issue 6, item 6).
 *
 * Starts a private single-node cluster on localhost: munged with a key generated here (own
 * socket, pid and log files), slurmctld and slurmd from a one-node slurm.conf written into a
 * private temporary directory (`SlurmUser=root`, `ProctrackType=proctrack/linuxproc`,
 * `TaskPlugin=task/none`, no accounting, free ports on 127.0.0.1, the node's CPUs and memory
 * from `slurmd -C`), with `SLURM_CONF` pointing at it. Then `scripts/sweep.ts slurm --submit`
 * submits a 4-task array, squeue is polled until it is gone (bounded), every array element
 * must have COMPLETED, `scripts/sweep.ts merge` combines the tasks, and the merged rows must
 * equal those of `scripts/sweep.ts local` on the same spec. The daemons are stopped by their
 * pid files and the directory removed, also when the test fails.
 *
 * Needs root and the Debian packages `slurm-wlm` and `munge`; skipped with a notice without
 * them, except with CI=true, where it fails.
 */
import { assert } from "./_assert.ts";

const IN_CI = Deno.env.get("CI") === "true";
const TOOLS = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "sinfo", "scancel"];
const SEARCH = [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/sbin", "/sbin", "/usr/bin"];
const SWEEP = new URL("../scripts/sweep.ts", import.meta.url).pathname;
const TASK = new URL("../scripts/train_linear_regression.ts", import.meta.url).pathname + "#sweepTask";
/** Bound on the wait for the array (seconds). */
const JOB_TIMEOUT_S = 60;

function findTool(name: string): string | null {
  for (const dir of SEARCH) {
    try {
      if (dir && Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch {
      // not here
    }
  }
  return null;
}

const TOOL_PATHS = Object.fromEntries(TOOLS.map((t) => [t, findTool(t)]));
const missing = TOOLS.filter((t) => !TOOL_PATHS[t]);
const isRoot = Deno.uid() === 0;
const why = missing.length
  ? `${missing.join(", ")} not found (apt-get install -y slurm-wlm munge)`
  : !isRoot
  ? "it must run as root (SlurmUser=root)"
  : "";
if (why && !IN_CI) console.error(`SLURM integration test skipped: ${why}; CI=true makes this an error`);

const tool = (name: string) => TOOL_PATHS[name]!;
const decode = (b: Uint8Array) => new TextDecoder().decode(b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Runs a command; returns its exit code and output. */
async function sh(cmd: string, args: string[], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await new Deno.Command(cmd, {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

/** Whether a process is alive (a zombie counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return false;
  }
}

async function waitFor(what: string, ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

/** A private cluster: its directory, config and the daemons it started (by pid file). */
class Cluster {
  readonly pidFiles: string[] = [];
  readonly pids = new Map<string, number>();
  constructor(readonly dir: string, readonly env: Record<string, string>) {}

  /** Starts a daemon (it forks); stderr before it opens its log goes to `<name>.stderr`. */
  async start(name: string, args: string[], pidFile: string): Promise<void> {
    const errFile = `${this.dir}/log/${name}.stderr`;
    const { code } = await new Deno.Command("bash", {
      args: ["-c", `exec "$0" "$@" </dev/null >/dev/null 2>"${errFile}"`, tool(name), ...args],
      env: this.env,
    }).output();
    this.pidFiles.push(pidFile);
    if (code !== 0) throw new Error(`${name} exited ${code}: ${await this.log(name)}`);
    await waitFor(`${name}'s pid file`, 10_000, async () => {
      const pid = Number(await Deno.readTextFile(pidFile).catch(() => ""));
      if (pid > 0) this.pids.set(pidFile, pid);
      return pid > 0;
    });
  }

  /** The end of a daemon's stderr and log file, for failure messages. */
  async log(name: string): Promise<string> {
    const parts = [];
    for (const f of [`${name}.stderr`, `${name}.log`]) {
      const text = await Deno.readTextFile(`${this.dir}/log/${f}`).catch(() => "");
      if (text) parts.push(`${f}:\n${text.trim().split("\n").slice(-15).join("\n")}`);
    }
    return parts.join("\n");
  }

  /** Cancels leftover jobs, stops the daemons (newest first) by their pid files, waits for them. */
  async stop(): Promise<void> {
    if (this.pidFiles.length > 1) await sh(tool("scancel"), ["--full", "--user", "root"], this.env);
    for (const pidFile of [...this.pidFiles].reverse()) {
      const pid = Number(await Deno.readTextFile(pidFile).catch(() => "")) || this.pids.get(pidFile);
      if (!pid || !alive(pid)) continue;
      Deno.kill(pid, "SIGTERM");
      try {
        await waitFor(`pid ${pid} (${pidFile}) to exit`, 10_000, () => !alive(pid));
      } catch {
        if (alive(pid)) Deno.kill(pid, "SIGKILL");
      }
    }
  }
}

/** Writes slurm.conf for a one-node cluster named `localhost` on free ports. */
async function writeSlurmConf(dir: string): Promise<string> {
  // `slurmd -C` prints this machine's node line: NodeName=<host> CPUs=... RealMemory=...
  const probe = await sh(tool("slurmd"), ["-C"]);
  const node = probe.stdout.split("\n").find((l) => l.startsWith("NodeName="));
  if (probe.code !== 0 || !node) throw new Error(`slurmd -C failed: ${probe.stderr}`);
  const hardware = node.replace(/^NodeName=\S+\s*/, "");
  const conf = [
    "ClusterName=sgdlabtest",
    "SlurmctldHost=localhost(127.0.0.1)",
    `SlurmctldPort=${freePort()}`,
    `SlurmdPort=${freePort()}`,
    "SlurmUser=root",
    "SlurmdUser=root",
    "AuthType=auth/munge",
    "CredType=cred/munge",
    `AuthInfo=socket=${dir}/munge/munge.socket`,
    `StateSaveLocation=${dir}/state`,
    `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/slurmctld.pid`,
    `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldLogFile=${dir}/log/slurmctld.log`,
    `SlurmdLogFile=${dir}/log/slurmd.log`,
    `PlugStackConfig=${dir}/plugstack.conf`,
    "ProctrackType=proctrack/linuxproc",
    "TaskPlugin=task/none",
    "JobAcctGatherType=jobacct_gather/none",
    "AccountingStorageType=accounting_storage/none",
    "JobCompType=jobcomp/none",
    "MpiDefault=none",
    "SwitchType=switch/none",
    "SelectType=select/cons_tres",
    "SelectTypeParameters=CR_CPU",
    "ReturnToService=2",
    "MinJobAge=300", // finished array elements stay visible to scontrol
    "SlurmctldDebug=info",
    "SlurmdDebug=info",
    `NodeName=localhost NodeAddr=127.0.0.1 ${hardware} State=UNKNOWN`,
    "PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP",
    "",
  ].join("\n");
  await Deno.writeTextFile(`${dir}/plugstack.conf`, "");
  await Deno.writeTextFile(`${dir}/slurm.conf`, conf);
  return `${dir}/slurm.conf`;
}

/** Runs scripts/sweep.ts with the cluster's environment; fails on a non-zero exit. */
async function sweep(env: Record<string, string>, ...args: string[]): Promise<string> {
  const r = await sh(Deno.execPath(), ["run", "-A", SWEEP, ...args], { ...env, NO_COLOR: "1" });
  assert.equal(r.code, 0, `sweep ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

Deno.test({
  name: "a sweep submitted to a single-node SLURM cluster (job array) merges to the local run's result",
  ignore: Boolean(why) && !IN_CI,
  async fn() {
    if (why) throw new Error(`CI=true: the SLURM integration test must run, but ${why}`);
    const t0 = performance.now();
    const dir = await Deno.makeTempDir({ prefix: "slurm-test-" });
    for (const sub of ["munge", "state", "spool", "log"]) await Deno.mkdir(`${dir}/${sub}`, { mode: 0o700 });
    const cluster = new Cluster(dir, { SLURM_CONF: `${dir}/slurm.conf` });
    try {
      // munged with its own key, socket and files; origin 127.0.0.1 (no host name lookup).
      await Deno.writeFile(`${dir}/munge/munge.key`, crypto.getRandomValues(new Uint8Array(128)), {
        mode: 0o600,
      });
      await cluster.start("munged", [
        "--force",
        "--origin=127.0.0.1",
        `--socket=${dir}/munge/munge.socket`,
        `--key-file=${dir}/munge/munge.key`,
        `--pid-file=${dir}/munge/munged.pid`,
        `--seed-file=${dir}/munge/munged.seed`,
        `--log-file=${dir}/log/munged.log`,
      ], `${dir}/munge/munged.pid`);
      const conf = await writeSlurmConf(dir);
      await cluster.start("slurmctld", ["-f", conf], `${dir}/slurmctld.pid`);
      await cluster.start("slurmd", ["-f", conf, "-N", "localhost"], `${dir}/slurmd.pid`);
      await waitFor("the node to be idle", 20_000, async () => {
        const r = await sh(tool("sinfo"), ["-h", "-n", "localhost", "-o", "%T"], cluster.env);
        return r.stdout.trim() === "idle";
      }).catch(async (e) => {
        throw new Error(`${e.message}\n${await cluster.log("slurmctld")}\n${await cluster.log("slurmd")}`);
      });
      const started = performance.now();

      const spec = `${dir}/spec.json`;
      await Deno.writeTextFile(
        spec,
        JSON.stringify({
          name: "slurm_it",
          task: TASK,
          grid: { learningRate: [0.25, 0.5], d: [3, 5] },
          seeds: [7],
          fixed: { walkers: 2, steps: 40, recordEvery: 10, backend: "reference" },
        }),
      );
      const out = await sweep(
        cluster.env,
        ...["slurm", spec, "--out", `${dir}/array`, "--submit", "--cpus-per-task", "1"],
        ...["--time", "00:05:00"],
      );
      const jobId = out.match(/Submitted batch job (\d+)/)?.[1];
      assert.ok(jobId, `no job id in sbatch's output: ${out}`);
      await waitFor(`array job ${jobId} to leave the queue`, JOB_TIMEOUT_S * 1000, async () => {
        const r = await sh(tool("squeue"), ["-h", "-j", jobId!, "-o", "%i %T"], cluster.env);
        return r.code === 0 && r.stdout.trim() === "";
      });
      const ran = performance.now();
      const show = await sh(tool("scontrol"), ["-o", "show", "job", jobId!], cluster.env);
      const elements = show.stdout.trim().split("\n").map((line) => ({
        index: Number(line.match(/ArrayTaskId=(\d+)/)?.[1]),
        state: line.match(/JobState=(\S+)/)?.[1],
        exit: line.match(/ExitCode=(\S+)/)?.[1],
      })).sort((a, b) => a.index - b.index);
      assert.deepEqual(
        elements,
        [0, 1, 2, 3].map((index) => ({ index, state: "COMPLETED", exit: "0:0" })),
        `array elements:\n${show.stdout}${show.stderr}\n${await cluster.log("slurmd")}`,
      );
      for (const index of [0, 1, 2, 3]) {
        // Each element wrote its task's result line to the array's output file.
        const text = await Deno.readTextFile(`${dir}/array/slurm/${jobId}_${index}.out`);
        assert.ok("finalMeanError" in JSON.parse(text.trim().split("\n").at(-1)!), text);
      }
      await sweep(cluster.env, "merge", `${dir}/array`);
      await sweep(cluster.env, "local", spec, "--out", `${dir}/local`, "--workers", "2", "--quiet");
      const onSlurm = JSON.parse(await Deno.readTextFile(`${dir}/array/merged.json`));
      const local = JSON.parse(await Deno.readTextFile(`${dir}/local/merged.json`));
      assert.equal(onSlurm.rows.length, 4);
      assert.deepEqual(onSlurm, local);
      console.error(
        `slurm test: cluster up ${((started - t0) / 1000).toFixed(1)} s, array ran ${
          ((ran - started) / 1000).toFixed(1)
        } s, merge + local ${((performance.now() - ran) / 1000).toFixed(1)} s`,
      );
    } finally {
      await cluster.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
