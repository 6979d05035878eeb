/**
 * EnhancedSGD with or without Lookahead (the original declares `lookahead_k` / `lookahead_alpha` but never
 * uses them; here they are implemented by lib/optim's Lookahead around EnhancedSGD, Zhang et al. 2019).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { ParameterLayout } from "../models/parameters.ts";
import { Lookahead, type LookaheadOptions } from "../optim/lookahead.ts";
import type { ParameterOptimizer } from "../optim/optimizer.ts";
import type { EnhancedSgdOptions } from "./options.ts";
import { EnhancedSGD, type EnhancedSgdHooks } from "./optimizer.ts";

/**
 * Creates EnhancedSGD, wrapped in Lookahead when `lookahead` is given (k = 5, alpha = 0.5 are the original's
 * declared values).
 *
 * @returns The optimizer and the EnhancedSGD inside it (for telemetry).
 */
export function createEnhancedSgd(
  backend: Backend,
  layout: ParameterLayout,
  options: EnhancedSgdOptions,
  lookahead?: LookaheadOptions,
  hooks: EnhancedSgdHooks = {},
): { optimizer: ParameterOptimizer; esgd: EnhancedSGD } {
  const esgd = new EnhancedSGD(backend, layout, options, hooks);
  return { optimizer: lookahead ? new Lookahead(esgd, lookahead) : esgd, esgd };
}
