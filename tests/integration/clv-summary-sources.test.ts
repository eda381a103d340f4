import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../scripts/ingest/generate.ts';
import { generateTravel } from '../../scripts/ingest/synthetic/travel/generate.ts';
import { buildProject, useProjectDatabase, whyNot, type BuildOptions } from '../support/build.ts';
import { expectIncrementalEqualsFullRefresh } from '../support/full-refresh.ts';

// customer_clv_summary with two sources: a batch that moves one source's as-of day recomputes
// every customer of that source and only the changed customers of the other (a retail day used
// to recompute every traveller too), and the result equals a full refresh row for row.
const PROJECT = join(import.meta.dirname, '..', '..');
const BUILD: BuildOptions = { select: ['+customer_clv_summary'], threads: 2 };
const COMPARED = { 'model.customer_clv_summary': '*' };
const RETAIL = 'retail_order_lines';

const project = useProjectDatabase('clv_summary_sources', PROJECT);

async function build() {
  const outcome = await buildProject(project.db, PROJECT, BUILD);
  expect(outcome.exitCode, whyNot(outcome)).toBe(0);
  return outcome.report.nodes.find((n) => n.id === 'model.customer_clv_summary')!.rows;
}

async function customersBySource(): Promise<Record<string, number>> {
  const found = await project.db.pool.query<{ source: string; n: number }>('select source, count(*)::int as n from gold.customer_clv_summary group by source');
  return Object.fromEntries(found.rows.map((r) => [r.source, r.n]));
}

describe('customer_clv_summary across sources, incrementally', () => {
  it('recomputes the sources whose as-of day moved, and equals a full refresh', async () => {
    await generate(project.db.pool, { customers: 150, seed: 51 });
    await generateTravel(project.db.pool, { users: 300, seed: 52 });
    await build();
    const counts = await customersBySource();
    expect(Object.keys(counts).length).toBe(2);
    const travel = Object.keys(counts).find((s) => s !== RETAIL)!;

    // a retail day after the last one: the retail as-of day moves, the travel one does not
    await generate(project.db.pool, { customers: 10, seed: 53, start: '2011-12-10', days: 1 });
    const rows = await build();
    // every retail customer, and not one traveller
    expect(rows).toBe((await customersBySource())[RETAIL]);
    await expectIncrementalEqualsFullRefresh(project.db, PROJECT, COMPARED, BUILD);

    // new travellers: the travel as-of day may move, the retail one does not
    await generateTravel(project.db.pool, { users: 40, seed: 54, firstUserId: 2_200_001 });
    const travelRows = await build();
    // travellers only (all of them if their as-of day moved), not one retail customer
    expect(travelRows).toBeGreaterThan(0);
    expect(travelRows).toBeLessThanOrEqual((await customersBySource())[travel]!);
    await expectIncrementalEqualsFullRefresh(project.db, PROJECT, COMPARED, BUILD);
  }, 600_000);
});
