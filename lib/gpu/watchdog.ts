/**
 * A watchdog for GPU calls that may block the main thread: no silent hang.
 *
 * Deno's WebGPU runs a shader compile, and on Mesa's GL adapter also the machine-code compile of a
 * kernel's first dispatch (inside `queue.submit`), synchronously on the main thread, so no timer of
 * ours can fire while one is stuck. The watchdog therefore lives in a second thread (an unreferenced
 * `node:worker_threads` worker: it never keeps the process alive) that the main thread arms before
 * such a call and disarms after it. Past the soft budget it prints that the call is still running;
 * past the hard budget it prints what was running (kernel, adapter) and the fix, and ends the process
 * with SIGTERM (exit status 143).
 *
 * Budgets (seconds) come from `GPU_WATCHDOG_SECONDS` (hard, default {@linkcode DEFAULT_HARD_SECONDS};
 * `0` turns the watchdog off) and `GPU_WATCHDOG_NOTICE_SECONDS` (soft, default
 * {@linkcode DEFAULT_NOTICE_SECONDS}). Without the worker (it failed to start) calls run unguarded.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { readEnv } from "../env.ts";

/** Hard budget of one guarded call, in seconds, unless `GPU_WATCHDOG_SECONDS` says otherwise. */
export const DEFAULT_HARD_SECONDS = 600;
/** Seconds after which a guarded call still running prints a notice (`GPU_WATCHDOG_NOTICE_SECONDS`). */
export const DEFAULT_NOTICE_SECONDS = 20;

/** The budgets in force, in milliseconds (`hard` 0: no watchdog). */
export function watchdogBudgets(): { hardMs: number; noticeMs: number } {
  const seconds = (name: string, fallback: number) => {
    const value = Number(readEnv(name) ?? fallback);
    return Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return {
    hardMs: 1000 * seconds("GPU_WATCHDOG_SECONDS", DEFAULT_HARD_SECONDS),
    noticeMs: 1000 * seconds("GPU_WATCHDOG_NOTICE_SECONDS", DEFAULT_NOTICE_SECONDS),
  };
}

// The worker: a timer pair per armed call (by id: calls may overlap); on expiry it writes straight to
// stderr (the main thread is blocked, so its console would not print) and signals the process.
const WORKER_CODE = `
import { parentPort } from "node:worker_threads";
const timers = new Map();
const say = (text) => Deno.stderr.writeSync(new TextEncoder().encode(text + "\\n"));
parentPort.on("message", (m) => {
  for (const t of timers.get(m.id) ?? []) clearTimeout(t);
  timers.delete(m.id);
  if (m.type !== "arm") return;
  const notice = m.noticeMs > 0 && m.noticeMs < m.hardMs ? setTimeout(() => say(m.notice), m.noticeMs) : undefined;
  const hard = setTimeout(() => {
    say(m.message);
    try { Deno.kill(Deno.pid, "SIGTERM"); } catch { say("watchdog: cannot signal the process; stop it with Ctrl-C"); }
  }, m.hardMs);
  timers.set(m.id, [notice, hard]);
});
parentPort.postMessage("ready");
`;

let worker: Worker | undefined;
let starting: Promise<void> | undefined;

/**
 * Starts the watchdog thread once per process (resolves when it listens); a no-op when the hard
 * budget is 0, and silent when workers are unavailable (calls then run unguarded).
 */
export function startWatchdog(): Promise<void> {
  starting ??= (async () => {
    if (watchdogBudgets().hardMs <= 0) return;
    try {
      const w = new Worker(new URL("data:text/javascript," + encodeURIComponent(WORKER_CODE)));
      await new Promise<void>((resolve, reject) => {
        w.once("message", () => resolve());
        w.once("error", reject);
      });
      w.unref();
      worker = w;
    } catch {
      worker = undefined;
    }
  })();
  return starting;
}

/** True when the watchdog thread is running. */
export function watchdogActive(): boolean {
  return worker !== undefined;
}

/** What a guarded call is, for the messages. */
export interface GuardedCall {
  /** What is running, e.g. `compiling kernel "matmul_tiled{WORKGROUP_SIZE=16}"`. */
  what: string;
  /** The adapter, e.g. `llvmpipe (LLVM 15.0.6, 256 bits) via OpenGL`. */
  adapter: string;
  /** The fix to name, e.g. `install the Vulkan driver: apt-get install mesa-vulkan-drivers`. */
  fix: string;
}

let nextId = 0;

function arm(call: GuardedCall): number | undefined {
  if (!worker) return undefined;
  const { hardMs, noticeMs } = watchdogBudgets();
  const id = nextId++;
  worker.postMessage({
    type: "arm",
    id,
    hardMs,
    noticeMs,
    notice: `Still ${call.what} on ${call.adapter} after ${noticeMs / 1000} s (the process is working; ` +
      `it ends after ${hardMs / 1000} s). To make it faster: ${call.fix}`,
    message: `Error: ${call.what} on ${call.adapter} did not finish within ${hardMs / 1000} s ` +
      `(GPU_WATCHDOG_SECONDS); ending the process. Fix: ${call.fix}`,
  });
  return id;
}

function disarm(id: number | undefined): void {
  if (id !== undefined) worker?.postMessage({ type: "disarm", id });
}

/** Runs `fn` (synchronous) under the watchdog. */
export function guarded<T>(call: GuardedCall, fn: () => T): T {
  const id = arm(call);
  try {
    return fn();
  } finally {
    disarm(id);
  }
}

/** Runs `fn` (asynchronous) under the watchdog, disarming when its promise settles. */
export async function guardedAsync<T>(call: GuardedCall, fn: () => Promise<T>): Promise<T> {
  const id = arm(call);
  try {
    return await fn();
  } finally {
    disarm(id);
  }
}
