/**
 * One vega-lite spec per chart, from the plain rows of scripts/panels/data.ts. Each names its
 * data-bearing layer `data` (one mark per row it receives), see render.ts.
 */
import type { TopLevelSpec } from 'vega-lite';
import type {
  ChurnPoint,
  ClvBin,
  ClvFitDiagnostics,
  KCandidate,
  Migration,
  MonthRow,
  NamedCount,
  ProfileCell,
  QualityRow,
  RfmCell,
  SegmentRow,
} from '../panels/data.ts';

type Values = readonly object[];

const WIDTH = 520;

function values(rows: Values): { values: object[] } {
  return { values: [...rows] };
}

/** Horizontal bars, one per row; `field` the length, `label` the category. */
function bars(rows: Values, label: string, field: string, title: string, format = ',.0f', color = '#4c78a8'): TopLevelSpec {
  return {
    width: WIDTH - 200,
    height: { step: 20 },
    data: values(rows),
    layer: [
      {
        name: 'data',
        mark: { type: 'bar', color },
        encoding: {
          y: { field: label, type: 'nominal', sort: null, title: null },
          x: { field, type: 'quantitative', title, axis: { format } },
          tooltip: [{ field: label, type: 'nominal' }, { field, type: 'quantitative', format }],
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 },
        encoding: {
          y: { field: label, type: 'nominal', sort: null },
          x: { field, type: 'quantitative' },
          text: { field, type: 'quantitative', format },
        },
      },
    ],
  };
}

export function segmentSizeSpec(rows: readonly SegmentRow[]): TopLevelSpec {
  return bars(rows, 'segment', 'customers', 'customers');
}

export function segmentRevenueShareSpec(rows: readonly SegmentRow[]): TopLevelSpec {
  return bars(rows, 'segment', 'revenueShare', 'share of revenue', '.1%', '#54a24b');
}

/** Heatmap of segment mean / overall mean per feature: 1 is the average customer. */
export function segmentProfileSpec(cells: readonly ProfileCell[]): TopLevelSpec {
  return {
    width: { step: 62 },
    height: { step: 24 },
    data: values(cells),
    layer: [
      {
        name: 'data',
        mark: 'rect',
        encoding: {
          x: { field: 'feature', type: 'nominal', title: null, sort: null, axis: { labelAngle: -30 } },
          y: { field: 'segment', type: 'nominal', title: null, sort: null },
          color: {
            field: 'ratio',
            type: 'quantitative',
            title: '× overall mean',
            scale: { type: 'log', scheme: 'blueorange', domainMid: 1 },
          },
          tooltip: [
            { field: 'segment', type: 'nominal' },
            { field: 'feature', type: 'nominal' },
            { field: 'segmentMean', type: 'quantitative', format: ',.2f', title: 'segment mean' },
            { field: 'overallMean', type: 'quantitative', format: ',.2f', title: 'overall mean' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          x: { field: 'feature', type: 'nominal', sort: null },
          y: { field: 'segment', type: 'nominal', sort: null },
          text: { field: 'ratio', type: 'quantitative', format: '.2f' },
        },
      },
    ],
  };
}

/** One k-selection curve (inertia or silhouette) with the chosen k marked. */
export function kSelectionSpec(rows: readonly KCandidate[], metric: 'inertia' | 'silhouette'): TopLevelSpec {
  const chosen = rows.find((r) => r.chosen)?.k;
  return {
    width: 240,
    height: 160,
    data: values(rows),
    layer: [
      { mark: { type: 'line', color: '#4c78a8' }, encoding: { x: { field: 'k', type: 'quantitative', axis: { tickMinStep: 1 } }, y: { field: metric, type: 'quantitative', scale: { zero: false } } } },
      {
        name: 'data',
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: { field: 'k', type: 'quantitative' },
          y: { field: metric, type: 'quantitative' },
          color: { field: 'chosen', type: 'nominal', scale: { domain: [false, true], range: ['#4c78a8', '#e45756'] }, legend: null },
          tooltip: [{ field: 'k' }, { field: metric, format: '.3f' }],
        },
      },
      ...(chosen === undefined
        ? []
        : [{ mark: { type: 'rule' as const, color: '#e45756', strokeDash: [4, 3] }, encoding: { x: { datum: chosen, type: 'quantitative' as const } } }]),
    ],
  } as TopLevelSpec;
}

/** The 5×5 recency × frequency grid coloured by customers or revenue. */
export function rfmGridSpec(cells: readonly RfmCell[], measure: 'customers' | 'revenue'): TopLevelSpec {
  const format = ',.0f';
  return {
    width: 230,
    height: 230,
    data: values(cells),
    layer: [
      {
        name: 'data',
        mark: 'rect',
        encoding: {
          x: { field: 'f', type: 'ordinal', title: 'frequency score (F)' },
          y: { field: 'r', type: 'ordinal', title: 'recency score (R)', sort: 'descending' },
          color: { field: measure, type: 'quantitative', scale: { scheme: measure === 'customers' ? 'blues' : 'greens' }, legend: { format } },
          tooltip: [{ field: 'r', title: 'R' }, { field: 'f', title: 'F' }, { field: 'customers', format }, { field: 'revenue', format }],
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          x: { field: 'f', type: 'ordinal' },
          y: { field: 'r', type: 'ordinal', sort: 'descending' },
          text: { field: measure, type: 'quantitative', format: measure === 'customers' ? ',.0f' : '.3s' },
        },
      },
    ],
  };
}

export function rfmSegmentsSpec(rows: readonly NamedCount[]): TopLevelSpec {
  return bars(rows, 'segment', 'customers', 'customers', ',.0f', '#f58518');
}

export function clvDistributionSpec(bins: readonly ClvBin[]): TopLevelSpec {
  return {
    width: WIDTH,
    height: 180,
    data: values(bins),
    layer: [
      {
        name: 'data',
        mark: { type: 'bar', color: '#72b7b2' },
        encoding: {
          x: { field: 'start', type: 'quantitative', bin: { binned: true }, title: '12-month CLV (last bin: the top 1% and above)', axis: { format: ',.0f' } },
          x2: { field: 'end' },
          y: { field: 'customers', type: 'quantitative', title: 'customers' },
          tooltip: [{ field: 'start', format: ',.0f' }, { field: 'end', format: ',.0f' }, { field: 'customers' }],
        },
      },
    ],
  };
}

/** Churn probability against CLV, the priority quadrant (CLV above median, churn > 0.5) in red. */
export function churnVsClvSpec(points: readonly ChurnPoint[]): TopLevelSpec {
  const median = points[0]?.clvMedian ?? 0;
  return {
    width: WIDTH,
    height: 260,
    data: values(points),
    layer: [
      {
        name: 'data',
        mark: { type: 'point', filled: true, size: 18, opacity: 0.6, clip: true },
        encoding: {
          x: { field: 'clv', type: 'quantitative', title: '12-month CLV', scale: { type: 'symlog' }, axis: { format: ',.0f' } },
          y: { field: 'churn', type: 'quantitative', title: 'churn probability', scale: { domain: [0, 1] } },
          color: {
            field: 'quadrant',
            type: 'nominal',
            scale: { domain: ['save first', 'keep happy', 'let go', 'low value, active'], range: ['#e45756', '#54a24b', '#bab0ac', '#4c78a8'] },
          },
          tooltip: [{ field: 'customerId', title: 'customer' }, { field: 'clv', format: ',.0f' }, { field: 'churn', format: '.2f' }],
        },
      },
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#555' }, encoding: { y: { datum: 0.5, type: 'quantitative' } } },
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#555' }, encoding: { x: { datum: median, type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

/** Migration matrix: customers by previous (rows) and current (columns) segment. */
export function migrationSpec(rows: readonly Migration[]): TopLevelSpec {
  return {
    width: { step: 34 },
    height: { step: 22 },
    data: values(rows),
    layer: [
      {
        name: 'data',
        mark: 'rect',
        encoding: {
          x: { field: 'to', type: 'nominal', title: 'now', axis: { labelAngle: -40 } },
          y: { field: 'from', type: 'nominal', title: 'before' },
          color: { field: 'customers', type: 'quantitative', scale: { scheme: 'purples' } },
          tooltip: [{ field: 'from' }, { field: 'to' }, { field: 'customers' }],
        },
      },
      { mark: { type: 'text', fontSize: 9 }, encoding: { x: { field: 'to', type: 'nominal' }, y: { field: 'from', type: 'nominal' }, text: { field: 'customers' } } },
    ],
  };
}

/** One monthly KPI over time, a point per month. */
export function monthlySpec(rows: readonly MonthRow[], field: 'revenue' | 'activeCustomers' | 'churnRate', title: string): TopLevelSpec {
  const format = field === 'churnRate' ? '.0%' : ',.0f';
  return {
    width: 250,
    height: 150,
    data: values(rows),
    layer: [
      { mark: { type: 'line', color: '#4c78a8' }, encoding: { x: { field: 'month', type: 'temporal', title: null }, y: { field, type: 'quantitative', title, axis: { format } } } },
      {
        name: 'data',
        mark: { type: 'point', filled: true, size: 25, color: '#4c78a8' },
        encoding: {
          x: { field: 'month', type: 'temporal' },
          y: { field, type: 'quantitative' },
          tooltip: [{ field: 'month', type: 'temporal', format: '%b %Y' }, { field, type: 'quantitative', format }],
        },
      },
    ],
  };
}

/** Rows kept and set aside per step from landing to gold. */
export function dataQualitySpec(rows: readonly QualityRow[]): TopLevelSpec {
  const labelled = rows.map((r) => ({ ...r, label: `${r.stage} ${r.model}: ${r.rule}` }));
  return {
    ...bars(labelled, 'label', 'rows', 'rows'),
    layer: [
      {
        name: 'data',
        mark: 'bar',
        encoding: {
          y: { field: 'label', type: 'nominal', sort: null, title: null },
          x: { field: 'rows', type: 'quantitative', scale: { type: 'symlog' }, title: 'rows (symlog scale)' },
          color: { field: 'step', type: 'nominal', scale: { domain: ['read', 'landed', 'kept', 'noted', 'set aside', 'quarantined'], range: ['#bab0ac', '#4c78a8', '#54a24b', '#b279a2', '#f58518', '#e45756'] } },
          tooltip: [{ field: 'stage' }, { field: 'model' }, { field: 'rule' }, { field: 'rows', format: ',' }],
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 },
        encoding: { y: { field: 'label', type: 'nominal', sort: null }, x: { field: 'rows', type: 'quantitative' }, text: { field: 'rows', format: ',' } },
      },
    ],
  } as TopLevelSpec;
}

/** Holdout purchases predicted by each candidate model against what customers did. */
export function clvFitSpec(fit: ClvFitDiagnostics): TopLevelSpec {
  const long = fit.candidates.flatMap((c) => [
    { model: c.model, measure: 'predicted', purchases: c.predicted },
    { model: c.model, measure: 'actual', purchases: c.actual },
  ]);
  return {
    width: { step: 18 },
    height: 160,
    data: values(long),
    layer: [
      {
        name: 'data',
        mark: 'bar',
        encoding: {
          x: { field: 'model', type: 'nominal', title: null, axis: { labelAngle: 0 } },
          xOffset: { field: 'measure', type: 'nominal' },
          y: { field: 'purchases', type: 'quantitative', title: 'holdout purchases' },
          color: { field: 'measure', type: 'nominal', scale: { domain: ['predicted', 'actual'], range: ['#4c78a8', '#f58518'] } },
          tooltip: [{ field: 'model' }, { field: 'measure' }, { field: 'purchases', format: ',.0f' }],
        },
      },
    ],
  } as TopLevelSpec;
}

/** Generic category bars for domain sections: one bar per row. */
export function categoryBarsSpec(rows: Values, label: string, field: string, title: string, format = ',.0f'): TopLevelSpec {
  return bars(rows, label, field, title, format, '#b279a2');
}
