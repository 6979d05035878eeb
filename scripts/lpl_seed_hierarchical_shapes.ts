/**
 * The seed project's hierarchical "LPL" model (LPL-11, train_hierarchical_lpl.py): 1024 -> 128 -> 64 on
 * synthetic shapes, both layers updated in every step from pairs of views (simultaneous, local), every
 * ablation condition x seed trained together (on webgpu one fused kernel launch per chunk of steps; on the
 * reference backend the float64 host loop, model by model). Reports per condition and layer the
 * logistic-regression probe (C = 1, stratified 80/20 split of `exportRows` single images) after training
 * against the same layer at its random init, activation statistics and the participation ratio, with the
 * pixel readout and chance beside them; exports both layers' activations before and after as .npy with
 * labels. The figure plots |W|_F and Var(y_t) of each layer against step.
 *
 * Run: `deno run -A scripts/lpl_seed_hierarchical_shapes.ts` (quick: 2000 steps, every condition, about a
 * minute on the CPU adapter), `--full` (the seed's 10,000 steps on 10,000 pairs).
 *
 * @module
 */
import { requireOption } from "../lib/cli.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { syntheticShapes } from "../lib/data/synthetic_shapes.ts";
import { SEED_CONDITIONS, type SeedCondition } from "../lib/lpl/seed_training.ts";
import { hierarchicalActivations, shapePairs, trainHierarchical } from "../lib/lpl/hierarchical.ts";
import { splitProbe } from "../lib/probes/split_probe.ts";
import { activationStats } from "../lib/probes/activation_stats.ts";
import { participationRatio } from "../lib/probes/participation_ratio.ts";
import { exportActivations } from "../lib/probes/activation_export.ts";

/** Configuration. */
export interface HierarchicalShapesConfig extends Record<string, unknown> {
  /** Pairs in the pair dataset (the seed: 10,000). */
  pairs: number;
  outputs1: number;
  outputs2: number;
  steps: number;
  conditions: string;
  /** Comma-separated model seeds (each its own init and pair picks); empty: just `seed`. */
  seeds: string;
  exportRows: number;
  exportDir: string;
  logEvery: number;
  /** Seed of the shapes data set (and the model seed when `seeds` is empty). */
  seed: number;
  backend: BackendChoice;
}

/** Quick scale: 2000 steps of every condition on 2000 pairs. */
export const defaultConfig: HierarchicalShapesConfig = {
  pairs: 2000,
  outputs1: 128,
  outputs2: 64,
  steps: 2000,
  conditions: SEED_CONDITIONS.join(","),
  seeds: "",
  exportRows: 1000,
  exportDir: "out/lpl_seed_hierarchical",
  logEvery: 100,
  seed: 42,
  backend: "auto",
};

/** The seed's scale: 10,000 steps on 10,000 pairs. */
export const fullConfig: HierarchicalShapesConfig = {
  ...defaultConfig,
  pairs: 10000,
  steps: 10000,
  logEvery: 500,
};

/** Tiny scale for tests. */
export const testConfig: HierarchicalShapesConfig = {
  ...defaultConfig,
  pairs: 100,
  outputs1: 16,
  outputs2: 8,
  steps: 200,
  conditions: "full,no-stab",
  exportRows: 100,
  exportDir: "",
  logEvery: 100,
};

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** Trains every condition x seed together and analyses both layers. */
export async function run(config: HierarchicalShapesConfig = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  requireOption("steps", config.steps, { integer: true, min: config.logEvery });
  requireOption("exportRows", config.exportRows, { integer: true, min: 10 });
  requireOption("pairs", config.pairs, { integer: true, min: 1 });
  const conditions = config.conditions.split(",").map((c) => c.trim()) as SeedCondition[];
  for (const c of conditions) {
    if (!(SEED_CONDITIONS as readonly string[]).includes(c)) {
      throw new RangeError(`Unknown condition "${c}": expected some of ${SEED_CONDITIONS.join(", ")}`);
    }
  }
  const seeds = config.seeds.trim() === ""
    ? [config.seed]
    : config.seeds.split(",").map((s) => Number(s.trim()));
  const pairs = shapePairs(config.pairs, config.seed);
  const started = performance.now();
  const trained = await trainHierarchical(backend, pairs, {
    outputs: [config.outputs1, config.outputs2],
    steps: config.steps,
    seeds,
    conditions,
    logEvery: config.logEvery,
  });
  const trainSeconds = (performance.now() - started) / 1000;
  // Probe images: single views (view seed = index) of samples past the pair dataset's.
  const rows = config.exportRows;
  const single = syntheticShapes(config.pairs, rows, { seed: config.seed });
  const labels = single.labels;
  const pixel = await splitProbe(backend, single.images, labels, 1024, { seed: config.seed });
  const analyse = async (a: Float64Array, dims: number) => {
    const probe = await splitProbe(backend, a, labels, dims, { seed: config.seed });
    const s = activationStats(a, rows, dims);
    return {
      probeTestAccuracy: r4(probe.testAccuracy),
      probeTrainAccuracy: r4(probe.trainAccuracy),
      participationRatio: r4(participationRatio(a, rows, dims)),
      mean: r4(s.mean),
      std: r4(s.std),
      min: r4(s.min),
      max: r4(s.max),
      collapsed: s.collapsed,
    };
  };
  const log: Record<string, unknown>[] = [];
  const byModel = [];
  for (const r of trained.runs) {
    const name = seeds.length > 1 ? `${r.condition}-seed${r.seed}` : r.condition;
    for (const row of r.log) {
      for (const layer of [0, 1]) {
        log.push({
          model: name,
          layer: layer + 1,
          step: row.step,
          quantity: "|W|_F",
          value: row.weightNorm[layer],
        });
        log.push({
          model: name,
          layer: layer + 1,
          step: row.step,
          quantity: "Var(y_t)",
          value: row.varY[layer],
        });
      }
    }
    const before = hierarchicalActivations(r.before, single.images, rows);
    const after = hierarchicalActivations(r.after, single.images, rows);
    const dir = config.exportDir === "" ? null : `${config.exportDir}/${name}`;
    const dims = [config.outputs1, config.outputs2];
    if (dir) {
      for (const layer of [0, 1]) {
        await exportActivations(dir, `layer${layer + 1}_before`, before[layer], labels, dims[layer]);
        await exportActivations(dir, `layer${layer + 1}_after`, after[layer], labels, dims[layer]);
      }
    }
    const layers = [];
    for (const layer of [0, 1]) {
      layers.push({
        layer: layer + 1,
        finalWeightNorm: r4(r.log.at(-1)!.weightNorm[layer]),
        randomInit: await analyse(before[layer], dims[layer]),
        trained: await analyse(after[layer], dims[layer]),
      });
    }
    byModel.push({ condition: r.condition, seed: r.seed, skippedUpdates: r.skipped, layers, exportDir: dir });
  }
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Hierarchical seed-LPL 1024 -> ${config.outputs1} -> ${config.outputs2} on synthetic shapes`,
    description: `${config.steps} steps per model, conditions ${conditions.join(", ")}, seeds ${
      seeds.join(", ")
    }`,
    data: { values: log },
    facet: {
      row: { field: "quantity", type: "nominal" },
      column: { field: "layer", type: "ordinal", title: "layer" },
    },
    spec: {
      width: 300,
      height: 160,
      mark: { type: "line" },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step" },
        y: { field: "value", type: "quantitative", title: null, scale: { type: "symlog" } },
        color: { field: "model", type: "nominal" },
      },
    },
    resolve: { scale: { y: "independent" } },
  };
  return {
    spec,
    summary: {
      config,
      backend: backend.description,
      trainSeconds: r4(trainSeconds),
      modelSteps: trained.runs.length * config.steps,
      dispatches: trained.dispatches,
      exportRows: rows,
      pixelReadoutTestAccuracy: r4(pixel.testAccuracy),
      chance: 0.25,
      byModel,
    },
  };
}

if (import.meta.main) {
  await figureMain<HierarchicalShapesConfig>({
    name: "lpl_seed_hierarchical_shapes",
    description:
      "hierarchical seed-LPL 1024 -> 128 -> 64 on synthetic shapes: ablations x seeds, probes per layer",
    options: {
      pairs: { type: "number", description: "pairs in the pair dataset" },
      outputs1: { type: "number", description: "layer 1 outputs (multiple of 4 on webgpu)" },
      outputs2: { type: "number", description: "layer 2 outputs (multiple of 4 on webgpu)" },
      steps: { type: "number", description: "steps per model (both layers updated in each)" },
      conditions: {
        type: "string",
        description: "comma-separated: full, no-hebb, no-pred, no-stab, shuffle",
      },
      seeds: {
        type: "string",
        description: "comma-separated model seeds, trained together with the conditions (empty: --seed)",
      },
      exportRows: { type: "number", description: "single images exported and probed" },
      exportDir: { type: "string", description: "where the .npy exports go (empty: no export)" },
      logEvery: { type: "number", description: "log |W| and Var(y) every this many steps" },
    },
    defaultConfig,
    fullConfig,
    run,
  });
}
