/**
 * Figure 4 of the teacher-student line: the reduced (m, h) ODE of repetition dynamics
 * (lib/teacher_student/reduced_ode.ts, solved with RODAS4 from lib/ode/) in log time t = d^s. Left:
 * m(s) and h(s) for several repetition probabilities p (He3 teacher, tanh student, c = |c_3(He3) c_3(tanh)|
 * ~ 0.148, the original's 0.15). Right: the velocity field in linear time for one p, a heatmap of
 * log10 |(d(m sqrt(d))/dt, dh/dt)| with unit arrows (quiver) over (m sqrt(d), h).
 *
 * The summary gives, per p, the escape log-time s (first m >= 1/2), the final (m, h) and the integrator's
 * work, and for p = 0 the closed-form escape time: d(m^2)/dt = (3 c m^2 (1 - m^2))^2 / (d tau) gives
 * t = (d tau / (9 c^2)) [G(q) - G(q0)], G(q) = -1/q + 2 ln(q / (1 - q)) + 1 / (1 - q), q = m^2.
 *
 * Run: `deno run -A scripts/teacher_student_fig4_reduced_ode.ts` (about a second; no GPU involved).
 *
 * @module
 */
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import {
  hermiteProduct,
  type ReducedOdeParams,
  reducedOdeRates,
  solveReducedOde,
} from "../lib/teacher_student/reduced_ode.ts";

/** Configuration of figure 4. */
export interface Fig4Config extends Record<string, unknown> {
  d: number;
  /** Repetition probabilities of the trajectories, comma-separated. */
  pValues: string;
  /** Repetition probability of the velocity field. */
  pField: number;
  /** Teacher preactivation h* of the repeated sample. */
  hStar: number;
  /** Initial preactivation h0 (m0 = 1 / sqrt(d)). */
  h0: number;
  tau: number;
  /** Output points in s in [0, 3]. */
  points: number;
  /** Field grid cells per axis. */
  grid: number;
}

/** Quick scale (and the notebooks' scale: the ODE is cheap). */
export const defaultConfig: Fig4Config = {
  d: 2000,
  pValues: "0,0.01,0.1,0.3",
  pField: 0.1,
  hStar: 2,
  h0: 0.5,
  tau: 1,
  points: 121,
  grid: 24,
};

/** Tiny scale for tests. */
export const testConfig: Fig4Config = { ...defaultConfig, pValues: "0,0.1", points: 25, grid: 8 };

/** Paper scale (notebook 13-10-25: d = 10^4). */
export const fullConfig: Fig4Config = {
  ...defaultConfig,
  d: 10000,
  pValues: "0,0.003,0.01,0.03,0.1,0.3",
  grid: 32,
};

const K = 3;

/** Closed-form escape time (m0 -> m) of the p = 0, k = 3 ODE in linear time. */
export function escapeTimeNoRepetition(d: number, tau: number, c: number, m0: number, m: number): number {
  const G = (q: number) => -1 / q + 2 * Math.log(q / (1 - q)) + 1 / (1 - q);
  return d * tau / (9 * c * c) * (G(m * m) - G(m0 * m0));
}

/**
 * Solves the ODE for every p and builds the figure.
 *
 * @param config The configuration.
 * @returns The Vega-Lite spec and the summary.
 */
export function run(config: Fig4Config = defaultConfig): Promise<FigureResult> {
  const { d, tau, hStar } = config;
  const c = Math.abs(hermiteProduct("he3", "tanh", K));
  const params = (p: number): ReducedOdeParams => ({
    d,
    k: K,
    p,
    tau,
    c,
    hStar,
    teacher: "he3",
    student: "tanh",
  });
  const m0 = 1 / Math.sqrt(d);
  const s = Array.from({ length: config.points }, (_, i) => (K * i) / (config.points - 1));
  const rows: Record<string, unknown>[] = [];
  const curves: Record<string, unknown>[] = [];
  for (const p of config.pValues.split(",").map(Number)) {
    const sol = solveReducedOde(params(p), { m0, h0: config.h0, times: s });
    s.forEach((si, i) => {
      rows.push({ p: String(p), s: si, quantity: "overlap m", value: sol.m[i] });
      rows.push({ p: String(p), s: si, quantity: "preactivation h", value: sol.h[i] });
    });
    const escape = s.find((_, i) => sol.m[i] >= 0.5);
    curves.push({
      p,
      escapeS: escape ?? null,
      finalM: sol.m[s.length - 1],
      finalH: sol.h[s.length - 1],
      steps: sol.stats.accepted,
      rejected: sol.stats.rejected,
    });
  }
  const closedForm = Math.log(escapeTimeNoRepetition(d, tau, c, m0, 0.5)) / Math.log(d);
  // Velocity field over (x = m sqrt(d), h) in linear time.
  const xMax = 6, hMax = 6, n = config.grid, width = 300, height = 300;
  const field: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = (xMax * (i + 0.5)) / n, h = -hMax + (2 * hMax * (j + 0.5)) / n;
      const [dm, dh] = reducedOdeRates(x / Math.sqrt(d), h, params(config.pField));
      const dx = dm * Math.sqrt(d);
      const px = (dx / xMax) * width, py = (dh / (2 * hMax)) * height; // screen units
      field.push({
        x,
        x2: x + xMax / n,
        h,
        h2: h + (2 * hMax) / n,
        xc: x + xMax / (2 * n),
        hc: h + hMax / n,
        logSpeed: Math.log10(Math.hypot(dx, dh) + 1e-300),
        angle: ((Math.atan2(px, py) * 180) / Math.PI + 360) % 360,
      });
    }
  }
  const trajectory = {
    data: { values: rows },
    facet: { row: { field: "quantity", type: "nominal" as const, title: null } },
    spec: {
      width: 320,
      height: 140,
      mark: { type: "line" as const },
      encoding: {
        x: {
          field: "s",
          type: "quantitative" as const,
          axis: { values: [0, 1, 2, 3], labelExpr: "'d^' + datum.value" },
          title: "t = d^s",
        },
        y: { field: "value", type: "quantitative" as const, title: null },
        color: { field: "p", type: "nominal" as const, title: "p" },
      },
    },
    resolve: { scale: { y: "independent" as const } },
  };
  const path = solveReducedOde(params(config.pField), { m0, h0: config.h0, times: s });
  const pathRows = s.map((si, i) => ({ s: si, xc: path.m[i] * Math.sqrt(d), hc: path.h[i] }));
  const heatmap = {
    width,
    height,
    title: `velocity field and trajectory (red), p = ${config.pField}`,
    layer: [
      {
        data: { values: field },
        mark: { type: "rect" as const },
        encoding: {
          x: { field: "x", type: "quantitative" as const, title: "m sqrt(d)", scale: { domain: [0, xMax] } },
          x2: { field: "x2" },
          y: { field: "h", type: "quantitative" as const, title: "h", scale: { domain: [-hMax, hMax] } },
          y2: { field: "h2" },
          color: {
            field: "logSpeed",
            type: "quantitative" as const,
            title: "log10 speed",
            scale: { scheme: "viridis" },
          },
        },
      },
      {
        data: { values: field },
        mark: { type: "point" as const, shape: "arrow", filled: true, color: "white", size: 60 },
        encoding: {
          x: { field: "xc", type: "quantitative" as const },
          y: { field: "hc", type: "quantitative" as const },
          angle: {
            field: "angle",
            type: "quantitative" as const,
            scale: { domain: [0, 360], range: [0, 360] },
          },
        },
      },
      {
        data: { values: pathRows },
        mark: { type: "line" as const, color: "red", clip: true, strokeWidth: 2 },
        encoding: {
          x: { field: "xc", type: "quantitative" as const },
          y: { field: "hc", type: "quantitative" as const },
          order: { field: "s", type: "quantitative" as const },
        },
      },
    ],
  };
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Reduced (m, h) ODE, He3 teacher, tanh student, d = ${d}, h* = ${hStar}, m0 = 1/sqrt(d)`,
    description:
      "Reduced ODE of repetition dynamics: m(s), h(s) in log time for several p, and the (m, h) field",
    hconcat: [trajectory, heatmap],
  };
  return Promise.resolve({
    spec,
    summary: {
      config,
      c,
      curves,
      closedFormEscapeSNoRepetition: closedForm,
      escapeThreshold: 0.5,
    },
  });
}

if (import.meta.main) {
  await figureMain<Fig4Config>({
    name: "teacher_student_fig4_reduced_ode",
    description: "reduced (m, h) ODE: m(s), h(s) for several p and the velocity field (RODAS4)",
    options: {
      d: { type: "number", description: "dimension" },
      pValues: { type: "string", description: "repetition probabilities, comma-separated" },
      pField: { type: "number", description: "repetition probability of the field" },
      hStar: { type: "number", description: "teacher preactivation of the repeated sample" },
      h0: { type: "number", description: "initial preactivation" },
      tau: { type: "number", description: "time scale tau" },
      points: { type: "number", description: "output points in s" },
      grid: { type: "number", description: "field cells per axis" },
    },
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
