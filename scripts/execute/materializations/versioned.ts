import { CompileError } from '../../core/errors.ts';
import { qualified, quoteLiteral } from '../../core/sql.ts';
import type { PlannedNode, StoredState } from '../../core/types.ts';
import { columnList, stmt, tempRelation } from './sql-parts.ts';
import type { SqlStep, Step } from './step.ts';
import { FROM, GEN, TO, addedViewSql, buildViewSql, changedViewSql, modelColumns } from './store-layout.ts';

/** The published partition an incremental or snapshot build adds row versions to. */
export function publishedRows(p: PlannedNode): StoredState {
  if (!p.previous) throw new CompileError(p.node.id, undefined, 'an incremental build needs published rows');
  return p.previous;
}

/**
 * An incremental or snapshot build starts on the published partition, never on a copy: the row
 * versions of builds that never published (failed, cancelled, killed, or rolled back from) are
 * removed first (they are invisible at the published build, so readers see no change), then the
 * build's own schema gets a view of the current rows: `{{ this }}`, the published rows, and a
 * view of the rows this build adds (empty until it writes), which scoped data tests read, and one
 * of the row versions it writes or supersedes, from which key-scoped tests take their keys.
 */
export function startVersionedSteps(p: PlannedNode): readonly Step[] {
  const prev = publishedRows(p);
  const part = qualified(prev.partition);
  return [
    stmt('forget unpublished row versions', `delete from ${part} where ${FROM} > ${prev.dataBuild}`),
    stmt('restore rows unpublished builds superseded', `update ${part} set ${TO} = null where ${TO} > ${prev.dataBuild}`),
    {
      kind: 'with-columns',
      label: 'view the published rows',
      of: prev.partition,
      next: (columns) => [
        stmt('create build view', buildViewSql(p.target, prev.partition, modelColumns(columns), 'versioned')),
        ...(p.added === undefined ? [] : [stmt('create view of added rows', addedViewSql(p.added, prev.partition, modelColumns(columns), p.buildId))]),
        ...(p.changed === undefined ? [] : [stmt('create view of changed rows', changedViewSql(p.changed, prev.partition, modelColumns(columns), p.buildId))]),
      ],
    },
  ];
}

/**
 * `insert into <partition> (columns…, _strata_gen, _strata_from) select …` from `source`: new row
 * versions stamped with this build, invisible to readers until the pointer moves to it.
 */
export function insertVersions(p: PlannedNode, columns: readonly string[], select: string, from: string): string {
  const prev = publishedRows(p);
  return [
    `insert into ${qualified(prev.partition)} (${columnList(columns)}, ${GEN}, ${FROM})`,
    `select ${select}, ${prev.gen}, ${p.buildId}`,
    `from ${from}`,
  ].join('\n');
}

/** `update <partition> as t set _strata_to = <build> from …`: marks rows superseded by this build. */
export function supersede(p: PlannedNode, from: string | undefined, where: string): string {
  const prev = publishedRows(p);
  return [
    `update ${qualified(prev.partition)} as t`,
    `set ${TO} = ${p.buildId}`,
    ...(from ? [`from ${from}`] : []),
    `where t.${TO} is null`,
    `  and ${where}`,
  ].join('\n');
}

/** `t.<TO> is null`: a row version that is current in this build. */
export const CURRENT = `t.${TO} is null`;

/**
 * After the fold: `analyze` the published partition when the new rows are many against what its
 * statistics know: more than 50 + 10% of its rows, the threshold at which autovacuum would
 * analyze it, but now, before the next node plans a query over it, instead of whenever
 * autovacuum wakes. Why: a model whose partition was built small (a source not loaded yet) and
 * then grows in one build kept the statistics of the small table, and the next nodes planned for
 * a few rows. Online Retail built, then TravelTide and the airline loaded: the build's current-rows
 * filter over perk_assignments was estimated at a few of its 5,782 travellers, and
 * experiment_results joined them to every trip in nested loops, 80.4 s of a 83.8 s build. A usual
 * batch (1% of the history) stays under the threshold and pays nothing; an analyze samples at most
 * 30,000 rows however large the partition.
 */
export function refreshStatistics(p: PlannedNode): SqlStep {
  const part = qualified(publishedRows(p).partition);
  return stmt(
    'refresh statistics after a large change',
    [
      'do $strata$ begin',
      `  if (select count(*) from ${qualified(tempRelation(p))}) >`,
      `     50 + 0.1 * greatest((select reltuples from pg_class where oid = ${quoteLiteral(part)}::regclass), 0) then`,
      `    analyze ${part};`,
      '  end if;',
      'end $strata$',
    ].join('\n'),
  );
}
