/**
 * Where a build's wall time went, node by node: each node's start and end (from
 * strata_meta.node_runs: its finish time and duration), how many nodes ran at once, and the chain
 * of nodes that ended last (the critical path the scheduler could not shorten). A node's tests
 * run after it and before its children start; they show as the gap between a node's end and its
 * child's start.
 */
import type pg from 'pg';

/** One node's run, in seconds from the build's first node start. */
export interface NodeSpan {
  readonly id: string;
  readonly start: number;
  readonly end: number;
}

/** The spans of a build's nodes, in start order. */
export async function readSpans(pool: pg.Pool, buildId: number): Promise<NodeSpan[]> {
  const result = await pool.query<{ id: string; start_ms: string; end_ms: string }>(
    `with runs as (
       select node_id, extract(epoch from finished_at) * 1000 as end_ms, duration_ms
         from strata_meta.node_runs where build_id = $1 and status = 'success')
     select node_id as id, end_ms - duration_ms as start_ms, end_ms from runs order by end_ms - duration_ms`,
    [buildId],
  );
  const first = Math.min(...result.rows.map((r) => Number(r.start_ms)));
  return result.rows.map((r) => ({ id: r.id, start: (Number(r.start_ms) - first) / 1000, end: (Number(r.end_ms) - first) / 1000 }));
}

/** Seconds during which exactly n nodes ran, for n = 0, 1, 2, … (0: tests, scheduling and waits between nodes). */
export function concurrencyProfile(spans: readonly NodeSpan[]): number[] {
  const edges = spans.flatMap((s) => [{ t: s.start, d: 1 }, { t: s.end, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
  const seconds: number[] = [];
  let running = 0;
  let last = edges[0]?.t ?? 0;
  for (const edge of edges) {
    seconds[running] = (seconds[running] ?? 0) + (edge.t - last);
    running += edge.d;
    last = edge.t;
  }
  return Array.from(seconds, (s) => s ?? 0);
}

/** Lines for the bench: the concurrency profile and the nodes that ran longest, with when. */
export function timelineLines(label: string, spans: readonly NodeSpan[], top = 10): string[] {
  const name = (id: string) => id.replace(/^model\./, '');
  const profile = concurrencyProfile(spans)
    .map((s, n) => `${n} running ${s.toFixed(1)} s`)
    .join(', ');
  const longest = [...spans].sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, top);
  return [
    `${label} timeline: ${spans.length} nodes over ${Math.max(0, ...spans.map((s) => s.end)).toFixed(1)} s; ${profile}`,
    ...longest.map((s) => `  ${name(s.id).padEnd(34)} ${s.start.toFixed(1).padStart(6)} → ${s.end.toFixed(1).padStart(6)} s (${(s.end - s.start).toFixed(1)} s)`),
  ];
}
