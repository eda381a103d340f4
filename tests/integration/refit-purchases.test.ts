import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildOutcome } from '../../scripts/cli/build.ts';
import type { Database } from '../../scripts/db/connect.ts';
import { loadFile } from '../../scripts/ingest/load.ts';
import { buildPublished, openTestProjectDb, type BuildOptions } from '../support/build.ts';
import { dataFile } from '../support/data-files.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/**
 * The refit rule's purchases trigger (scripts/core/refit-policy.ts, docs/models.md "Refitting")
 * on the case it is for: the airline's members keep flying without the membership growing much.
 * The real activity file is loaded in two parts, the months to September 2018, then October to
 * December 2018: members with a flight grow 14,559 → 15,167 (+4.2%), their months with a flight
 * 152,993 → 177,973 (+16.3%; counted from the file with a script). Counting customers only, the
 * default refit_growth of 10% would keep the fits for ever; with purchases it refits.
 */
const project = fileURLToPath(new URL('../..', import.meta.url));
const AIRLINE = 'stg_airline_flight_activity';
// two airline builds on a loaded machine: minutes, never asserted
const BUILD_TIMEOUT = 900_000;

let testDb: TestDatabase;
let db: Database;
let dir: string;

async function rows<T = Record<string, unknown>>(text: string): Promise<T[]> {
  return (await db.pool.query(text)).rows as T[];
}

const build = (options: BuildOptions = {}): Promise<BuildOutcome> => buildPublished(db, project, options);

/** The build ids named by the published fits: k-means centres and the airline's CLV fit. */
async function fitBuilds(): Promise<{ centres: number[]; clv: number[] }> {
  const ids = async (sql: string) => (await rows<{ b: string }>(sql)).map((r) => Number(r.b));
  return {
    centres: await ids('select distinct build_id as b from gold.segment_centres order by 1'),
    clv: await ids(`select distinct build_id as b from gold.clv_predictions where source = '${AIRLINE}' order by 1`),
  };
}

/** The activity file split by month at `last` (year, month): the header on both parts. */
async function splitActivity(last: [number, number]): Promise<[string, string]> {
  const [header, ...lines] = gunzipSync(await readFile(dataFile('airline_loyalty/customer_flight_activity.csv.gz'))).toString('utf8').split('\n');
  const upTo = (line: string): boolean => {
    const [, year, month] = line.split(',').map(Number);
    return year! < last[0] || (year === last[0] && month! <= last[1]);
  };
  const body = lines.filter((line) => line.trim() !== '');
  const parts: [string, string] = [join(dir, 'activity-to-2018-09.csv.gz'), join(dir, 'activity-from-2018-10.csv.gz')];
  await writeFile(parts[0], gzipSync([header, ...body.filter(upTo)].join('\n') + '\n'));
  await writeFile(parts[1], gzipSync([header, ...body.filter((line) => !upTo(line))].join('\n') + '\n'));
  return parts;
}

beforeAll(async () => {
  testDb = await createTestDatabase('refit_purchases');
  db = await openTestProjectDb(testDb.url, project);
  dir = await mkdtemp(join(tmpdir(), 'strata-refit-purchases-'));
}, 120_000);

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the refit rule counts purchases too: the airline members who keep flying', () => {
  let first: BuildOutcome;
  let later: string;

  it('fits on the members and their flights to September 2018, recording both counts', async () => {
    const [earlier, rest] = await splitActivity([2018, 9]);
    later = rest;
    await loadFile(db.pool, { file: dataFile('airline_loyalty/customer_loyalty_history.csv.gz') });
    await loadFile(db.pool, { file: earlier });
    first = await build();
    expect(await fitBuilds()).toEqual({ centres: [first.report.buildId], clv: [first.report.buildId] });
    const [fit] = await rows<{ customers: string; purchases: string }>(`select fit_customers as customers, fit_purchases as purchases from gold.segment_centres limit 1`);
    const [now] = await rows<{ customers: string; purchases: string }>(`select count(*) as customers, sum(frequency) as purchases from gold.customer_features`);
    expect([Number(fit!.customers), Number(fit!.purchases)]).toEqual([Number(now!.customers), Number(now!.purchases)]);
    // the members who flew, and their months with a flight, as the script counted them from the file
    expect([Number(now!.customers), Number(now!.purchases)]).toEqual([14_559, 152_993]);
  }, BUILD_TIMEOUT);

  it('three more months: customers +4.2%, purchases +16.3%: kept under a 20% rule, refit under the default 10%', async () => {
    await loadFile(db.pool, { file: later });
    const lenient = await build({ vars: { refit_growth: 0.2 } });
    expect(await fitBuilds()).toEqual({ centres: [first.report.buildId], clv: [first.report.buildId] });
    const [now] = await rows<{ customers: string; purchases: string }>(`select count(*) as customers, sum(frequency) as purchases from gold.customer_features`);
    expect([Number(now!.customers), Number(now!.purchases)]).toEqual([15_167, 177_973]);
    expect(lenient.report.published).toBe(true);

    // the default rule: the customers moved less than 10%, so only their purchases can refit
    const refit = await build();
    expect(await fitBuilds()).toEqual({ centres: [refit.report.buildId], clv: [refit.report.buildId] });
    const [fit] = await rows<{ customers: string; purchases: string }>(`select fit_customers as customers, fit_purchases as purchases from gold.segment_centres limit 1`);
    expect([Number(fit!.customers), Number(fit!.purchases)]).toEqual([15_167, 177_973]);
  }, BUILD_TIMEOUT);
});
