/**
 * Optimizer settings: defaults (torch's), validation with clear errors, parameter groups chosen by name
 * patterns over a {@linkcode ParameterLayout}, and the per-step folding of a group's hyperparameters into the
 * row the fused update kernel reads.
 *
 * @module
 */
import type { GroupUpdateScalars, UpdateRule } from "../../kernels/optim/optim.ts";
import type { ParameterLayout } from "../models/parameters.ts";
import {
  type GroupHyperparameters,
  OPTIMIZER_KINDS,
  type OptimizerKind,
  type ReferenceSegment,
} from "../reference/optim.ts";

export type { GroupHyperparameters, OptimizerKind };
export { OPTIMIZER_KINDS };

/** Parameter names a group applies to: exact names or globs (`*` matches any characters), or RegExps. */
export type NamePattern = string | RegExp;

/** A parameter group: the views whose names match `names`, with hyperparameters that override the defaults. */
export interface ParameterGroup extends Partial<GroupHyperparameters> {
  /** Which views belong to the group (a view takes the first group that matches it). */
  names: NamePattern | readonly NamePattern[];
}

/** Settings of an optimizer (unset hyperparameters take torch's defaults). */
export interface OptimizerOptions extends Partial<GroupHyperparameters> {
  kind: OptimizerKind;
  /** Learning rate (required, >= 0). */
  lr: number;
  /** L2 (false, torch's `weight_decay` of SGD and Adam) or decoupled (true) weight decay; adamw is always decoupled. */
  decoupledWeightDecay?: boolean;
  /** Groups with their own hyperparameters; views matched by none use the top-level values. */
  groups?: readonly ParameterGroup[];
  /** Clip gradients to this global L2 norm before the update (none by default). */
  maxGradNorm?: number;
}

const HYPERPARAMETER_NAMES = ["lr", "momentum", "dampening", "beta1", "beta2", "eps", "weightDecay"] as const;
const OPTION_NAMES = new Set<string>([
  ...HYPERPARAMETER_NAMES,
  "kind",
  "decoupledWeightDecay",
  "groups",
  "maxGradNorm",
]);

/** torch's defaults per kind (momentum kinds default to 0.9; AdamW's weight decay to 0.01). */
export function defaultHyperparameters(kind: OptimizerKind, lr: number): GroupHyperparameters {
  return {
    lr,
    momentum: kind === "momentum" || kind === "nesterov" ? 0.9 : 0,
    dampening: 0,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: kind === "adamw" ? 0.01 : 0,
  };
}

function checkHyperparameters(kind: OptimizerKind, h: GroupHyperparameters, where: string): void {
  const fail = (name: string, value: number, range: string) => {
    throw new RangeError(`Cannot create optimizer "${kind}": ${name} is ${value}${where}, must be ${range}`);
  };
  const finite = (v: number) => typeof v === "number" && Number.isFinite(v);
  if (!(finite(h.lr) && h.lr >= 0)) fail("lr", h.lr, "a finite number >= 0");
  if (!(finite(h.momentum) && h.momentum >= 0 && h.momentum < 1)) fail("momentum", h.momentum, "in [0, 1)");
  if (!(finite(h.dampening) && h.dampening >= 0 && h.dampening <= 1)) {
    fail("dampening", h.dampening, "in [0, 1]");
  }
  if (!(finite(h.beta1) && h.beta1 >= 0 && h.beta1 < 1)) fail("beta1", h.beta1, "in [0, 1)");
  if (!(finite(h.beta2) && h.beta2 >= 0 && h.beta2 < 1)) fail("beta2", h.beta2, "in [0, 1)");
  if (!(finite(h.eps) && h.eps > 0)) fail("eps", h.eps, "a finite number > 0");
  if (!(finite(h.weightDecay) && h.weightDecay >= 0)) {
    fail("weightDecay", h.weightDecay, "a finite number >= 0");
  }
  if (kind === "nesterov" && (h.momentum <= 0 || h.dampening !== 0)) {
    throw new RangeError(
      `Cannot create optimizer "nesterov": momentum is ${h.momentum} and dampening ${h.dampening}${where}, ` +
        `Nesterov momentum needs momentum > 0 and dampening 0 (as torch)`,
    );
  }
}

function patternMatcher(pattern: NamePattern): (name: string) => boolean {
  if (pattern instanceof RegExp) return (name) => pattern.test(name);
  if (typeof pattern !== "string" || pattern === "") {
    throw new TypeError(
      `Cannot create optimizer: group name pattern ${String(pattern)} must be a non-empty string`,
    );
  }
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  const regex = new RegExp(`^${escaped.join(".*")}$`);
  return (name) => regex.test(name);
}

/** Validated settings: the kind, each group's hyperparameters and which group each view belongs to. */
export interface ResolvedOptimizer {
  kind: OptimizerKind;
  rule: UpdateRule;
  decoupledWeightDecay: boolean;
  maxGradNorm?: number;
  /** Group 0 is the top-level settings; groups 1.. are `options.groups` in order. */
  groups: GroupHyperparameters[];
  /** Contiguous ranges of the flat vector with their group index (adjacent views of one group merged). */
  segments: { begin: number; end: number; group: number }[];
}

/**
 * Validates optimizer settings against a layout and resolves the parameter groups.
 *
 * @param layout The parameters' layout.
 * @param options The settings.
 * @returns The resolved settings.
 * @throws {TypeError} On an unknown kind or option name, or a bad pattern.
 * @throws {RangeError} On a hyperparameter out of range or a group pattern matching no parameter.
 */
export function resolveOptimizer(layout: ParameterLayout, options: OptimizerOptions): ResolvedOptimizer {
  const kind = options?.kind;
  if (!OPTIMIZER_KINDS.includes(kind)) {
    throw new TypeError(
      `Cannot create optimizer: kind is "${kind}", must be one of ${OPTIMIZER_KINDS.join(", ")}`,
    );
  }
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) {
      throw new TypeError(
        `Cannot create optimizer "${kind}": unknown option "${name}" (known: ${
          [...OPTION_NAMES].join(", ")
        })`,
      );
    }
  }
  const base = { ...defaultHyperparameters(kind, options.lr) };
  for (const name of HYPERPARAMETER_NAMES) if (options[name] !== undefined) base[name] = options[name]!;
  checkHyperparameters(kind, base, "");
  if (
    options.maxGradNorm !== undefined && !(Number.isFinite(options.maxGradNorm) && options.maxGradNorm > 0)
  ) {
    throw new RangeError(
      `Cannot create optimizer "${kind}": maxGradNorm is ${options.maxGradNorm}, must be a finite number > 0`,
    );
  }
  const groups = [base];
  const matchers: ((name: string) => boolean)[] = [];
  (options.groups ?? []).forEach((group, g) => {
    const where = ` in group ${g + 1}`;
    const patterns = Array.isArray(group.names) ? group.names : [group.names as NamePattern];
    for (const name of Object.keys(group)) {
      if (name !== "names" && !(HYPERPARAMETER_NAMES as readonly string[]).includes(name)) {
        throw new TypeError(`Cannot create optimizer "${kind}": unknown group option "${name}"${where}`);
      }
    }
    const hyper = { ...base };
    for (const name of HYPERPARAMETER_NAMES) if (group[name] !== undefined) hyper[name] = group[name]!;
    checkHyperparameters(kind, hyper, where);
    const tests = patterns.map(patternMatcher);
    tests.forEach((test, p) => {
      if (!layout.names.some(test)) {
        throw new RangeError(
          `Cannot create optimizer "${kind}": group ${g + 1} pattern "${String(patterns[p])}" matches no ` +
            `parameter (the layout has ${layout.names.join(", ")})`,
        );
      }
    });
    matchers.push((name) => tests.some((t) => t(name)));
    groups.push(hyper);
  });
  const segments: ResolvedOptimizer["segments"] = [];
  for (const view of layout.views) {
    if (view.size === 0) continue;
    const group = matchers.findIndex((m) => m(view.name)) + 1; // 0 when none matches
    const last = segments.at(-1);
    if (last && last.group === group && last.end === view.offset) last.end = view.offset + view.size;
    else segments.push({ begin: view.offset, end: view.offset + view.size, group });
  }
  const rule: UpdateRule = kind === "adamw" ? "adam" : kind;
  return {
    kind,
    rule,
    decoupledWeightDecay: kind === "adamw" || Boolean(options.decoupledWeightDecay),
    maxGradNorm: options.maxGradNorm,
    groups,
    segments,
  };
}

/** The segments of a resolved optimizer with their hyperparameters (for the float64 reference). */
export function referenceSegments(resolved: ResolvedOptimizer): ReferenceSegment[] {
  return resolved.segments.map((s) => ({ begin: s.begin, end: s.end, hyper: resolved.groups[s.group] }));
}

/**
 * One group's row of the fused update at step `step` (1-based), computed in float64 before rounding to the
 * kernel's float32: the scheduled lr, decay factors, dampening and Adam's bias corrections.
 *
 * @param resolved The optimizer.
 * @param h The group's hyperparameters.
 * @param lrFactor The schedule's multiplier at this step.
 * @param step This step's number (>= 1).
 */
export function foldGroupScalars(
  resolved: ResolvedOptimizer,
  h: GroupHyperparameters,
  lrFactor: number,
  step: number,
): GroupUpdateScalars {
  const lr = h.lr * lrFactor;
  const adam = resolved.rule === "adam";
  return {
    lr,
    l2: resolved.decoupledWeightDecay ? 0 : h.weightDecay,
    decay: resolved.decoupledWeightDecay ? 1 - lr * h.weightDecay : 1,
    momentum: h.momentum,
    gradWeight: adam ? 1 - h.beta1 : 1 - h.dampening,
    beta2: h.beta2,
    gradSquaredWeight: 1 - h.beta2,
    eps: h.eps,
    stepSize: adam ? lr / (1 - h.beta1 ** step) : lr,
    invSqrtBias2: adam ? 1 / Math.sqrt(1 - h.beta2 ** step) : 1,
  };
}
