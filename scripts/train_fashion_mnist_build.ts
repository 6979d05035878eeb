/**
 * What a config of scripts/train_fashion_mnist.ts (./train_fashion_mnist_settings.ts) builds: the lib/optim
 * or EnhancedSGD settings, the schedule, the model spec and, on a backend, the optimizer and the model;
 * {@linkcode validateRun} checks all of them before any data is read or directory made.
 *
 * @module
 */
import type { Backend } from "../lib/backend/backend.ts";
import { cnnLayout, cnnPreset, type CnnPresetName, type CnnSpec } from "../lib/models/cnn.ts";
import { Cnn } from "../lib/models/cnn_model.ts";
import { mlpLayout, mlpPreset, type MlpPresetName, type MlpSpec } from "../lib/models/mlp.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import type { ParameterLayout } from "../lib/models/parameters.ts";
import { type OptimizerOptions, resolveOptimizer } from "../lib/optim/hyperparameters.ts";
import { Optimizer, type ParameterOptimizer } from "../lib/optim/optimizer.ts";
import { namedSchedule, type Schedule } from "../lib/optim/schedules.ts";
import { createEnhancedSgd } from "../lib/enhanced_sgd/create.ts";
import { type EnhancedSgdOptions, resolveEnhancedSgd } from "../lib/enhanced_sgd/options.ts";
import { checkTrainConfig, type TrainConfig } from "./train_fashion_mnist_settings.ts";

/** EnhancedSGD's settings of a config (clean mode; its other settings at their defaults). */
export function enhancedSgdOptions(config: TrainConfig): EnhancedSgdOptions {
  return { lr: config.learningRate, momentum: config.momentum, weightDecay: config.weightDecay };
}

/**
 * The lib/optim settings of a config (momentum only for the momentum kinds; no clipping at 0).
 *
 * @throws {TypeError} For `enhanced_sgd`, which is not a lib/optim kind (see {@linkcode enhancedSgdOptions}).
 */
export function optimizerOptions(config: TrainConfig): OptimizerOptions {
  if (config.optimizer === "enhanced_sgd") {
    throw new TypeError("Cannot make lib/optim settings for enhanced_sgd: use enhancedSgdOptions");
  }
  const momentumKind = config.optimizer === "momentum" || config.optimizer === "nesterov";
  return {
    kind: config.optimizer,
    lr: config.learningRate,
    weightDecay: config.weightDecay,
    ...(momentumKind ? { momentum: config.momentum } : {}),
    ...(config.maxGradNorm > 0 ? { maxGradNorm: config.maxGradNorm } : {}),
  };
}

/** The schedule of a config (none for "constant"). */
export function scheduleOf(config: TrainConfig): Schedule | undefined {
  return config.schedule === "constant"
    ? undefined
    : namedSchedule(config.schedule, { total: config.steps, warmup: config.warmup });
}

/** The model spec a config (or `spec`) trains. */
export function specOf(config: TrainConfig, spec?: MlpSpec | CnnSpec): MlpSpec | CnnSpec {
  if (spec) return spec;
  return config.model === "cnn"
    ? cnnPreset(config.preset as CnnPresetName, { channels: 1, size: 28, initScale: config.initScale })
    : mlpPreset(config.preset as MlpPresetName, { inputs: 784, initScale: config.initScale });
}

/**
 * Checks everything a run needs before any data is read or any directory is made: the settings, the
 * model spec, the optimizer's hyperparameters against the model's layout, and the schedule.
 *
 * @throws {TypeError|RangeError} Naming the bad setting.
 */
export function validateRun(config: TrainConfig, spec?: MlpSpec | CnnSpec): ParameterLayout {
  checkTrainConfig(config);
  if (spec && ("convs" in spec) !== (config.model === "cnn")) {
    throw new TypeError(`Cannot train: the given spec is not a ${config.model} spec`);
  }
  const s = specOf(config, spec);
  const layout = "convs" in s ? cnnLayout(s) : mlpLayout(s);
  if (config.optimizer === "enhanced_sgd") resolveEnhancedSgd(enhancedSgdOptions(config));
  else resolveOptimizer(layout, optimizerOptions(config));
  scheduleOf(config);
  return layout;
}

/** The optimizer of a config on a backend. */
export function makeOptimizer(
  config: TrainConfig,
  backend: Backend,
  layout: ParameterLayout,
): ParameterOptimizer {
  if (config.optimizer === "enhanced_sgd") {
    return createEnhancedSgd(backend, layout, enhancedSgdOptions(config)).optimizer;
  }
  return new Optimizer(backend, layout, optimizerOptions(config), scheduleOf(config));
}

/** The model of a config (or `spec`) on a backend, and a one-line description of it. */
export function makeModel(config: TrainConfig, backend: Backend, spec?: MlpSpec | CnnSpec) {
  if (config.model === "cnn") {
    const cnnSpec = specOf(config, spec) as CnnSpec;
    const cnn = new Cnn(backend, cnnSpec, config.loss);
    const { input } = cnnSpec;
    const blocks = cnn.shapes.blocks.map((b) =>
      `conv${b.kernelSize}x${b.kernelSize}-${b.outChannels}${b.pool ? "+pool" : ""}`
    );
    const about = `${input.channels}x${input.height}x${input.width} ${blocks.join(" ")} fc ${
      cnn.shapes.dense.join("-")
    }`;
    return { model: cnn, about };
  }
  const mlpSpec = specOf(config, spec) as MlpSpec;
  const mlp = new Mlp(backend, mlpSpec, config.loss);
  return { model: mlp as Mlp | Cnn, about: mlpSpec.sizes.join("-") };
}
