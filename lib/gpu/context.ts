/**
 * The GPU context: adapter, device, the facts kernels are chosen by, and device-loss tracking. Acquisition
 * (which measures the loop limit with the loop probe) is lib/gpu/device.ts; everything else in lib/gpu
 * depends only on this file, so the runtime has no import cycle.
 *
 * @module
 */

/** Thrown when no WebGPU adapter can be found. */
export class NoGpuAdapterError extends Error {
  /** @param detail What was tried, appended to the message. */
  constructor(detail = "") {
    super(
      "Cannot acquire a WebGPU adapter: navigator.gpu.requestAdapter() returned null" +
        (detail ? ` (${detail})` : "") +
        ". On Debian/Ubuntu install the CPU Vulkan driver with `apt-get install mesa-vulkan-drivers`, " +
        'or run on the float64 reference backend (`--backend reference`, or `{ backend: "reference" }`)',
    );
    this.name = "NoGpuAdapterError";
  }
}

/** Thrown by every GPU operation after the device was lost. */
export class GpuDeviceLostError extends Error {
  /** @param reason The `GPUDeviceLostInfo` reason; @param detail its message. */
  constructor(reason: string, detail: string) {
    super(
      `Cannot use the WebGPU device: it was lost (reason "${reason}": ${detail || "no message"}). ` +
        "Results already read back are kept; restart the process, or use `--backend reference`",
    );
    this.name = "GpuDeviceLostError";
  }
}

/** Thrown by the GPU call after a WebGPU validation error that no error scope caught. */
export class GpuValidationError extends Error {
  /** @param detail The WebGPU error message. */
  constructor(detail: string) {
    super(
      `A WebGPU validation error occurred in earlier GPU work, whose results are invalid: ${detail}. ` +
        "Run with KERNEL_DEBUG=1 to see each dispatch",
    );
    this.name = "GpuValidationError";
  }
}

/** What kernels are chosen by. */
export interface AdapterFacts {
  /** The adapter's description, e.g. `"llvmpipe (LLVM 15.0.6, 256 bits)"`. */
  description: string;
  /** Vendor string as the adapter reports it. */
  vendor: string;
  /** True for software (CPU) adapters: Mesa llvmpipe/lavapipe, SwiftShader, WARP. */
  isCpuAdapter: boolean;
  /** True when the device was created with the `timestamp-query` feature. */
  hasTimestamps: boolean;
  /**
   * Loop iterations one invocation completes before the adapter silently stops
   * its loops, measured at acquisition (`Infinity` when no limit was seen).
   */
  loopLimit: number;
  /**
   * True when wgpu reached the adapter through its OpenGL backend: on Linux, Mesa's GL driver when the
   * Vulkan driver (`mesa-vulkan-drivers`) is missing. Its shader compiler is slow on large
   * function-scope arrays, so kernels pick lighter variants there (see `isGlBackend` in gl_path.ts).
   */
  viaGl: boolean;
}

/** A WebGPU device with the facts about its adapter and device-loss tracking. */
export class GpuContext {
  /** The adapter the device came from. */
  readonly adapter: GPUAdapter;
  /** The device every buffer and pipeline lives on. */
  readonly device: GPUDevice;
  /** Facts about the adapter. */
  readonly facts: AdapterFacts;
  #lost: GpuDeviceLostError | undefined;
  #error: GpuValidationError | undefined;

  /**
   * @param adapter The adapter.
   * @param device A device requested from it.
   * @param facts What the adapter is.
   */
  constructor(adapter: GPUAdapter, device: GPUDevice, facts: AdapterFacts) {
    this.adapter = adapter;
    this.device = device;
    this.facts = facts;
    // A validation error inside a dispatch is asynchronous and otherwise only logged, while
    // results silently become zeros: remember it and fail the next GPU call loudly.
    device.addEventListener("uncapturederror", (event) => {
      const message = (event as GPUUncapturedErrorEvent).error.message;
      console.error(`WebGPU uncaptured error: ${message}`);
      this.#error ??= new GpuValidationError(message);
    });
    device.lost.then((info) => {
      // "destroyed" is our own dispose(); anything else is a real loss.
      this.#lost = new GpuDeviceLostError(info.reason ?? "unknown", info.message);
      if (info.reason !== "destroyed") console.error(this.#lost.message);
    });
  }

  /** True once the device is lost or destroyed. */
  get isLost(): boolean {
    return this.#lost !== undefined;
  }

  /**
   * Throws the device-lost error if the device is gone.
   *
   * @throws {GpuDeviceLostError} After device loss.
   */
  assertAlive(): void {
    if (this.#lost) throw this.#lost;
    if (this.#error) {
      const error = this.#error;
      this.#error = undefined; // reported once; later calls may proceed
      throw error;
    }
  }

  /** Destroys the device (every buffer with it). */
  dispose(): void {
    this.device.destroy();
  }
}

const CPU_ADAPTER_PATTERN = /llvmpipe|lavapipe|swiftshader|softpipe|warp|software/i;

/** Decides from the adapter's info whether it runs on the CPU. */
export function isCpuAdapterInfo(
  info: { description?: string; device?: string; vendor?: string },
  fallback = false,
): boolean {
  const text = `${info.description ?? ""} ${info.device ?? ""} ${info.vendor ?? ""}`;
  return fallback || CPU_ADAPTER_PATTERN.test(text);
}

/**
 * f32 lanes of one SIMD register of a CPU adapter, from its description (llvmpipe ends it with
 * "256 bits": 8 lanes); 8 when the description does not say. Meaningless on GPUs.
 */
export function cpuSimdLanes(facts: { description: string }): number {
  const bits = Number(/(\d+) bits/.exec(facts.description)?.[1] ?? 256);
  return Math.min(64, Math.max(1, 2 ** Math.round(Math.log2(bits / 32))));
}
