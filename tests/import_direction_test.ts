/**
 * Holds the tree to the layering of README's Architecture section: every relative import (and re-export) in
 * lib/, kernels/, scripts/ and bench/ must go from a layer to one the table lets it import, and the import
 * graph must have no cycle. Type-only imports count: they are dependencies a reader follows too.
 */
import assert from "node:assert/strict";

/** A layer, by where its files live. Checked in order: the first match wins. */
interface Layer {
  name: string;
  match: (path: string) => boolean;
}

const LAYERS: Layer[] = [
  { name: "base", match: (p) => p === "lib/env.ts" || p === "lib/activations.ts" },
  { name: "rng", match: (p) => p.startsWith("lib/rng/") },
  { name: "gpu", match: (p) => p.startsWith("lib/gpu/") },
  { name: "kernels", match: (p) => p.startsWith("kernels/") },
  { name: "reference", match: (p) => p.startsWith("lib/reference/") },
  { name: "backend", match: (p) => p.startsWith("lib/backend/") },
  { name: "line", match: (p) => /^lib\/(teacher_student|dyson|enhanced_sgd|eoss|lpl|byol)\//.test(p) },
  { name: "shared", match: (p) => p.startsWith("lib/") },
  { name: "app", match: (p) => p.startsWith("scripts/") || p.startsWith("bench/") },
];

/** Who may import whom (each layer may also import itself, except where `importsSelf` is false). */
const MAY_IMPORT: Record<string, string[]> = {
  base: [],
  rng: ["base"],
  gpu: ["base"],
  kernels: ["base", "rng", "gpu"],
  reference: ["base", "rng", "kernels"],
  backend: ["base", "rng", "gpu", "kernels", "reference"],
  shared: ["base", "rng", "gpu", "kernels", "reference", "backend"],
  line: ["base", "rng", "gpu", "kernels", "reference", "backend", "shared"],
  app: ["base", "rng", "gpu", "kernels", "reference", "backend", "shared", "line"],
};

/**
 * The public face of the runtime and the backend for the layers above the kernels: a line or a shared part
 * reaches the GPU through kernel wrappers, `GpuContext`/`CommandRecorder`, buffers and the fused-run helper,
 * never through pipelines, uniforms or the loop budget, and never unwraps the WebGPU backend (`Backend.gpuTarget`).
 */
const PUBLIC_ABOVE_KERNELS = new Set([
  "lib/gpu/device.ts",
  "lib/gpu/recorder.ts",
  "lib/gpu/buffers.ts",
  "lib/gpu/fused_run.ts",
  "lib/backend/backend.ts",
  "lib/backend/select.ts",
  "lib/backend/tensor.ts",
  "lib/backend/reference.ts",
]);

/** Edges present when this test was written, to drive to zero. Each one listed here is a known violation. */
const KNOWN_VIOLATIONS = new Set<string>([]);

const ROOTS = ["lib", "kernels", "scripts", "bench"];
const IMPORT =
  /(?:^|\n)[ \t]*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|(?:^|\n)[ \t]*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (path.endsWith(".ts")) files.push(path);
    }
  };
  for (const root of ROOTS) walk(root);
  return files.sort();
}

function resolve(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const segment of specifier.split("/")) {
    if (segment === "..") parts.pop();
    else if (segment !== ".") parts.push(segment);
  }
  return parts.join("/");
}

/** The project-internal .ts edges (from, to) of every file under ROOTS. */
function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles()) {
    const targets = new Set<string>();
    for (const m of Deno.readTextFileSync(file).matchAll(IMPORT)) {
      const specifier = m[1] ?? m[2] ?? m[3];
      if (specifier.startsWith(".") && specifier.endsWith(".ts")) targets.add(resolve(file, specifier));
    }
    graph.set(file, targets);
  }
  return graph;
}

function layerOf(path: string): string {
  const layer = LAYERS.find((l) => l.match(path));
  if (!layer) throw new Error(`Cannot place "${path}" in a layer: add it to LAYERS`);
  return layer.name;
}

/** The reason an edge is forbidden, or null when it is allowed. */
function forbidden(from: string, to: string): string | null {
  const a = layerOf(from), b = layerOf(to);
  if (a !== b && !MAY_IMPORT[a].includes(b)) return `${a} may not import ${b}`;
  const aboveKernels = ["shared", "line"].includes(a);
  if (aboveKernels && (b === "gpu" || b === "backend") && !PUBLIC_ABOVE_KERNELS.has(to)) {
    return `${a} may use only the public face of ${b} (${[...PUBLIC_ABOVE_KERNELS].join(", ")})`;
  }
  if (a === "line" && b === "line" && from.split("/")[1] !== to.split("/")[1]) {
    return "a line may not import another";
  }
  return null;
}

/** Every elementary cycle's smallest witness: a back edge of a depth-first search and the path that closes it. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

const graph = importGraph();

Deno.test("every import goes down the layer table (README: Architecture)", () => {
  const violations: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const why = forbidden(from, to);
      const edge = `${from} -> ${to}`;
      if (why && !KNOWN_VIOLATIONS.has(edge)) violations.push(`${edge}  (${why})`);
    }
  }
  if (violations.length > 0) assert.fail(`${violations.length} forbidden imports:\n${violations.join("\n")}`);
});

Deno.test("the known-violation list holds only edges that still exist and are still forbidden", () => {
  const stale = [...KNOWN_VIOLATIONS].filter((edge) => {
    const [from, to] = edge.split(" -> ");
    return !graph.get(from)?.has(to) || forbidden(from, to) === null;
  });
  if (stale.length > 0) assert.fail(`Remove these from KNOWN_VIOLATIONS:\n${stale.join("\n")}`);
});

Deno.test("the import graph has no cycle", () => {
  const found = cycles(graph).map((c) => c.join(" -> "));
  if (found.length > 0) assert.fail(`${found.length} import cycles:\n${found.join("\n")}`);
});

Deno.test("the graph parser sees imports, re-exports, type imports and multi-line lists", () => {
  const edges = graph.get("kernels/teacher_student/teacher_student_sgd.ts");
  assert.ok(edges?.has("lib/gpu/recorder.ts"), "a value import");
  assert.ok(
    [...graph.values()].some((t) => t.size > 0),
    "some file imports something",
  );
  assert.equal(forbidden("lib/gpu/device.ts", "kernels/matmul/matmul.ts"), "gpu may not import kernels");
  assert.equal(forbidden("kernels/matmul/matmul.ts", "lib/gpu/pipelines.ts"), null);
  assert.match(forbidden("lib/dyson/x.ts", "lib/gpu/pipelines.ts") ?? "", /public face/);
  assert.deepEqual(cycles(new Map([["a", new Set(["b"])], ["b", new Set(["a"])]])), [["a", "b", "a"]]);
});
