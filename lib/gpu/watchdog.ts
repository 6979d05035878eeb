/**
 * A watchdog for GPU calls that may block the main thread: no silent hang.
 *
 * Deno's WebGPU runs a shader compile, and on Mesa's GL adapter also the machine-code compile of a
 * kernel's first dispatch (inside `queue.submit`), synchronously on the main thread, so no timer of
 * ours can fire while one is stuck. The watchdog therefore lives in a second thread (an unreferenced
 * `node:worker_threads` worker: it never keeps the process alive) that watches slots of shared memory
 * the main thread fills before such a call and clears after it (no message per call: ~1 us). Past the soft budget it prints that the call is still running;
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

let budgets: { hardMs: number; noticeMs: number } | undefined;

/** The budgets in force, in milliseconds (`hard` 0: no watchdog), read from the environment once. */
export function watchdogBudgets(): { hardMs: number; noticeMs: number } {
  const seconds = (name: string, fallback: number) => {
    const value = Number(readEnv(name) ?? fallback);
    return Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  budgets ??= {
    hardMs: 1000 * seconds("GPU_WATCHDOG_SECONDS", DEFAULT_HARD_SECONDS),
    noticeMs: 1000 * seconds("GPU_WATCHDOG_NOTICE_SECONDS", DEFAULT_NOTICE_SECONDS),
  };
  return budgets;
}

/**
 * Sets the budgets of later guarded calls (milliseconds), or with no argument re-reads them from the
 * environment. A hard budget of 0 here leaves a started watchdog running but stops guarding.
 */
export function setWatchdogBudgets(value?: { hardMs: number; noticeMs: number }): void {
  budgets = value ? { ...value } : undefined;
}

// Guarded calls cost the main thread no message: each takes a slot of shared memory (its start time, its
// description's id, its budgets) and frees it after; the worker looks at the slots every POLL_MS. A
// description's text is posted once, the first time it is used. On expiry the worker writes straight to
// stderr (the main thread is blocked, so its console would not print) and signals the process.
const SLOTS = 16;
const POLL_MS = 100;
// Per slot, in a Float64Array: start time (Date.now(); 0 when free), description id, hard and notice ms.
const FIELDS = 4;

const WORKER_CODE = `
import { parentPort } from "node:worker_threads";
const texts = new Map();
const noticed = new Float64Array(${SLOTS});
let slots;
const say = (text) => Deno.stderr.writeSync(new TextEncoder().encode(text + "\\n"));
parentPort.on("message", (m) => {
  if (m.slots) slots = new Float64Array(m.slots);
  if (m.text !== undefined) texts.set(m.id, m.text);
});
setInterval(() => {
  if (!slots) return;
  const now = Date.now();
  for (let i = 0; i < ${SLOTS}; i++) {
    const start = slots[i * ${FIELDS}];
    if (start === 0) continue;
    const text = texts.get(slots[i * ${FIELDS} + 1]);
    const hard = slots[i * ${FIELDS} + 2], notice = slots[i * ${FIELDS} + 3];
    if (!text) continue;
    if (notice > 0 && notice < hard && now - start > notice && noticed[i] !== start) {
      noticed[i] = start;
      say(text.notice);
    }
    if (now - start > hard) {
      say(text.message);
      try { Deno.kill(Deno.pid, "SIGTERM"); } catch { say("watchdog: cannot signal the process; stop it with Ctrl-C"); }
      slots[i * ${FIELDS}] = 0;
    }
  }
}, ${POLL_MS});
parentPort.postMessage("ready");
`;

let worker: Worker | undefined;
let starting: Promise<void> | undefined;
let slots: Float64Array | undefined;
const textIds = new Map<string, number>();

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
      const shared = new SharedArrayBuffer(SLOTS * FIELDS * 8);
      w.postMessage({ slots: shared });
      w.unref();
      slots = new Float64Array(shared);
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

function textId(call: GuardedCall, hardMs: number, noticeMs: number): number {
  const key = `${call.what}\u0000${call.adapter}\u0000${call.fix}\u0000${hardMs}\u0000${noticeMs}`;
  let id = textIds.get(key);
  if (id === undefined) {
    id = textIds.size + 1;
    textIds.set(key, id);
    worker!.postMessage({
      id,
      text: {
        notice: `Still ${call.what} on ${call.adapter} after ${noticeMs / 1000} s (the process is working; ` +
          `it ends after ${hardMs / 1000} s). To make it faster: ${call.fix}`,
        message: `Error: ${call.what} on ${call.adapter} did not finish within ${hardMs / 1000} s ` +
          `(GPU_WATCHDOG_SECONDS); ending the process. Fix: ${call.fix}`,
      },
    });
  }
  return id;
}

/** Takes a free slot for `call` and returns it (undefined without the watchdog or a free slot). */
function arm(call: GuardedCall): number | undefined {
  if (!worker || !slots) return undefined;
  const { hardMs, noticeMs } = watchdogBudgets();
  if (hardMs <= 0) return undefined;
  for (let i = 0; i < SLOTS; i++) {
    if (slots[i * FIELDS] !== 0) continue;
    slots[i * FIELDS + 1] = textId(call, hardMs, noticeMs);
    slots[i * FIELDS + 2] = hardMs;
    slots[i * FIELDS + 3] = noticeMs;
    slots[i * FIELDS] = Date.now(); // last: the worker reads a slot only once its start is set
    return i;
  }
  return undefined;
}

function disarm(slot: number | undefined): void {
  if (slot !== undefined && slots) slots[slot * FIELDS] = 0;
}

/** Runs `fn` (synchronous) under the watchdog. */
export function guarded<T>(call: GuardedCall, fn: () => T): T {
  const slot = arm(call);
  try {
    return fn();
  } finally {
    disarm(slot);
  }
}

/** Runs `fn` (asynchronous) under the watchdog, disarming when its promise settles. */
export async function guardedAsync<T>(call: GuardedCall, fn: () => Promise<T>): Promise<T> {
  const slot = arm(call);
  try {
    return await fn();
  } finally {
    disarm(slot);
  }
}
