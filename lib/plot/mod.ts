/**
 * Figures and the scripts that make them: Vega-Lite specs checked against the schema and rendered
 * to SVG, the figure-script main (`--full`, `--quick`, config files), the command line, and progress
 * on stderr.
 *
 * @module
 */
export {
  figureDisplay,
  type FigureResult,
  renderSvg,
  type TopLevelSpec,
  validateVegaLite,
  VEGA_LITE_SCHEMA,
  writeFigure,
} from "./figure.ts";
export { figureMain, type FigureScript } from "./figure_script.ts";
export { REFERENCE_SCALE, type ReferenceScale, scaleForBackend } from "./reference_scale.ts";
export {
  type CliSpec,
  COMMON_OPTIONS,
  type OptionSpec,
  parseCli,
  parseNumberList,
  runCli,
  UsageError,
} from "../cli.ts";
export { formatDuration, formatRate, Progress, setProgressQuiet } from "../progress.ts";
