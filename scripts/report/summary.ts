import type { Manifest, NodeResult, TestResult } from '../core/types.ts';
import { publicRelationOf } from '../plan/relations.ts';

export interface BuildReport {
  readonly buildId: number;
  readonly manifest: Manifest;
  readonly nodes: readonly NodeResult[];
  readonly tests: readonly TestResult[];
  readonly published: boolean;
  readonly previousBuild: number | null;
  readonly seconds: number;
  /** how long publishing took (the pointer update and its records), when the build got that far */
  readonly publishSeconds?: number;
  /** why nothing was published, when it was not */
  readonly blockedBy?: string;
}

const LABEL: Record<string, string> = { success: 'OK   ', error: 'ERROR', skipped: 'SKIP ' };

/** The terminal summary: each node with status, rows and time; each failing test; the outcome. */
export function formatSummary(report: BuildReport): string {
  const byId = new Map(report.manifest.nodes.map((n) => [n.id, n]));
  const lines: string[] = [];
  const width = Math.max(10, ...report.nodes.map((r) => nameOf(r.id, byId).length));
  for (const r of report.nodes) {
    const node = byId.get(r.id);
    const kind = node?.resourceType === 'seed' ? 'seed' : node?.config.materialized ?? '';
    const rows = r.keptFrom !== undefined ? `build ${r.keptFrom}'s rows` : r.rows === null ? '' : rowCount(r.rows);
    const time = r.status === 'skipped' ? '' : `${(r.durationMs / 1000).toFixed(2)}s`;
    const label = r.keptFrom === undefined ? LABEL[r.status] : 'KEPT ';
    lines.push(`  ${label} ${nameOf(r.id, byId).padEnd(width)}  ${kind.padEnd(17)} ${rows.padStart(14)} ${time.padStart(7)}`);
    if (r.error) lines.push(indent(r.error, 10));
    if (r.skippedBecause) lines.push(`          skipped: ${r.skippedBecause === 'cancelled' ? 'the build was cancelled' : `${r.skippedBecause} failed upstream`}`);
  }
  const count = (status: string) => report.tests.filter((t) => t.status === status).length;
  const kept = report.nodes.filter((r) => r.keptFrom !== undefined).length;
  if (kept > 0) lines.push(`kept ${kept} unchanged node${kept === 1 ? '' : 's'} from earlier builds (docs/storage.md, "Unchanged nodes are kept")`);
  lines.push(
    `tests: ${count('pass')} passed, ${count('warn')} warned, ${count('fail')} failed, ${count('error')} errored`,
  );
  for (const t of report.tests.filter((t) => t.status !== 'pass')) {
    lines.push(`  ${t.status.toUpperCase().padEnd(5)} ${t.id} (${t.location.file}:${t.location.line})${t.message ? `: ${t.message}` : ''}`);
  }
  lines.push(
    report.published
      ? `published build ${report.buildId} in ${report.seconds.toFixed(1)}s`
      : `build ${report.buildId} NOT published${report.blockedBy ? ` (${report.blockedBy})` : ''}; ` +
          (report.previousBuild === null ? 'nothing was published before' : `build ${report.previousBuild} stays published, unchanged`),
  );
  return lines.join('\n');
}

/** `1 row`, `2,048 rows` */
export function rowCount(rows: number): string {
  return `${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'}`;
}

function nameOf(id: string, byId: Map<string, Manifest['nodes'][number]>): string {
  const node = byId.get(id);
  if (!node) return id;
  const relation = publicRelationOf(node);
  return `${relation.schema}.${relation.name}`;
}

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((l) => ' '.repeat(spaces) + l)
    .join('\n');
}
