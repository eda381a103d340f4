/**
 * Charts are vega-lite specs rendered to SVG on the server (vega's headless view: no canvas, no
 * browser), so the report is one file with its charts inline and the dashboard sends finished SVG.
 * Every chart names its data-bearing layer `data`: vega gives that layer's group the class
 * `data_marks`, one child per datum, which is what the browser tests count.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The class of the group holding one mark per datum (see the module comment). */
export const DATA_MARKS_CLASS = 'data_marks';

const BASE_CONFIG = {
  font: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, labelLimit: 280 },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  range: { category: ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac', '#eeca3b', '#17becf'] },
};

/** Renders a vega-lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...BASE_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(withConfig).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
