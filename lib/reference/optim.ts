/**
 * Float64 reference of the optimizers (the oracle of kernels/optim/update.wgsl and the reference backend's
 * optimizer): torch.optim's SGD (momentum, dampening, Nesterov), Adam and AdamW, with L2 or decoupled weight
 * decay, per-group hyperparameters and clipping by global gradient norm (torch.nn.utils.clip_grad_norm_).
 * Written to be read, one element at a time, in torch's order of operations.
 *
 * @module
 */

/** The optimizers. `adamw` is Adam with decoupled weight decay (Loshchilov & Hutter 2019). */
export type OptimizerKind = "sgd" | "momentum" | "nesterov" | "adam" | "adamw";

/** The optimizer kinds, in documentation order. */
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ["sgd", "momentum", "nesterov", "adam", "adamw"];

/** The hyperparameters of one parameter group (all resolved; lib/optim fills defaults). */
export interface GroupHyperparameters {
  /** Base learning rate (a schedule multiplies it). */
  lr: number;
  /** Momentum factor (momentum, nesterov). */
  momentum: number;
  /** Dampening of the momentum buffer's gradient term (torch's `dampening`). */
  dampening: number;
  /** Adam's first-moment decay. */
  beta1: number;
  /** Adam's second-moment decay. */
  beta2: number;
  /** Adam's epsilon, added after bias-correcting sqrt(v) (torch's placement). */
  eps: number;
  /** Weight decay: L2 (added to the gradient) or decoupled (p *= 1 - lr wd), see `decoupledWeightDecay`. */
  weightDecay: number;
}

/** A contiguous range of the flat parameters with its group's hyperparameters. */
export interface ReferenceSegment {
  begin: number;
  end: number;
  hyper: GroupHyperparameters;
}

/** Arguments of {@linkcode optimizerStepReference}. */
export interface OptimizerStepReferenceArgs {
  kind: OptimizerKind;
  /** Decoupled weight decay (always for adamw; optional for the others). */
  decoupledWeightDecay: boolean;
  /** Flat parameters, updated in place. */
  params: Float64Array;
  gradient: ArrayLike<number>;
  /** Momentum buffer or Adam's m (length of params; unused by sgd). */
  first: Float64Array;
  /** Adam's v (unused otherwise). */
  second: Float64Array;
  /** This step's number, 1 for the first step (Adam's bias correction, torch's momentum start). */
  step: number;
  /** Ranges covering the parameters, each with its group. */
  segments: readonly ReferenceSegment[];
  /** The schedule's multiplier of every group's lr at this step. */
  lrFactor: number;
  /** Clip the gradient to this global norm (none when undefined). */
  maxGradNorm?: number;
}

/** The Euclidean norm of a vector, in float64. */
export function gradientNormReference(gradient: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < gradient.length; i++) sum += gradient[i] * gradient[i];
  return Math.sqrt(sum);
}

/** torch.nn.utils.clip_grad_norm_'s factor: min(1, maxNorm / (norm + 1e-6)). */
export function clipFactorReference(norm: number, maxNorm: number): number {
  return Math.min(1, maxNorm / (norm + 1e-6));
}

/**
 * One optimizer step, in float64.
 *
 * @param args Parameters, gradient, state, step number, groups, schedule factor, clipping.
 * @returns The gradient's global norm before clipping.
 */
export function optimizerStepReference(args: OptimizerStepReferenceArgs): number {
  const { kind, params, gradient, first, second, step } = args;
  const norm = gradientNormReference(gradient);
  const clip = args.maxGradNorm === undefined ? 1 : clipFactorReference(norm, args.maxGradNorm);
  const decoupled = kind === "adamw" || args.decoupledWeightDecay;
  for (const { begin, end, hyper } of args.segments) {
    const lr = hyper.lr * args.lrFactor;
    const wd = hyper.weightDecay;
    for (let i = begin; i < end; i++) {
      let g = gradient[i] * clip;
      let p = params[i];
      if (decoupled) p = p * (1 - lr * wd);
      else g = g + wd * p;
      if (kind === "sgd") {
        p = p - lr * g;
      } else if (kind === "momentum" || kind === "nesterov") {
        const buffer = step === 1 ? g : hyper.momentum * first[i] + (1 - hyper.dampening) * g;
        first[i] = buffer;
        const direction = kind === "nesterov" ? g + hyper.momentum * buffer : buffer;
        p = p - lr * direction;
      } else {
        first[i] = first[i] + (1 - hyper.beta1) * (g - first[i]); // torch: exp_avg.lerp_(grad, 1 - beta1)
        second[i] = hyper.beta2 * second[i] + (1 - hyper.beta2) * g * g;
        const biasCorrection1 = 1 - hyper.beta1 ** step;
        const biasCorrection2 = 1 - hyper.beta2 ** step;
        const denominator = Math.sqrt(second[i]) / Math.sqrt(biasCorrection2) + hyper.eps;
        p = p - (lr / biasCorrection1) * first[i] / denominator;
      }
      params[i] = p;
    }
  }
  return norm;
}

/**
 * Lookahead's synchronisation (Zhang et al. 2019, Algorithm 1): slow <- slow + alpha (fast - slow),
 * then fast <- slow.
 *
 * @param fast The fast (model) weights, overwritten.
 * @param slow The slow weights, updated.
 * @param alpha The slow step size in [0, 1].
 */
export function lookaheadSyncReference(fast: Float64Array, slow: Float64Array, alpha: number): void {
  for (let i = 0; i < fast.length; i++) {
    slow[i] = slow[i] + alpha * (fast[i] - slow[i]);
    fast[i] = slow[i];
  }
}
