/**
 * The dashboard's HTTP app (hono): one page and a small JSON API. Every request runs its queries
 * through the read-only BI role's pool in a read-only transaction with a statement timeout; every
 * value from the request reaches SQL as a parameter.
 */
import { Hono, type Context } from 'hono';
import type pg from 'pg';
import { domainDimensions, type CustomerFilter } from '../panels/filter.ts';
import * as d from '../panels/data.ts';
import { readOnly, type Queryable } from '../panels/run.ts';
import { toCsv } from './csv.ts';
import { dashboardPage } from './page.ts';
import { dashboardView } from './views.ts';

export interface DashboardOptions {
  /** a pool connected as the BI role */
  readonly pool: pg.Pool;
  /** statement timeout of every query, ms */
  readonly statementTimeoutMs: number;
  /** when set, every request must carry it (?token=… or the x-strata-token header) */
  readonly token?: string;
}

/** The tables the CSV export offers, each with the loader behind it. */
const CSV_TABLES = ['customers', 'top-risk', 'segments', 'rfm-segments'] as const;
type CsvTable = (typeof CSV_TABLES)[number];

const FILTER_NAMES = ['segment', 'rfmSegment', 'country', 'cardTier', 'province'] as const;

/** The request's filters, with the domain dimensions the published catalog has. */
async function filterOf(c: Context, db: Queryable): Promise<CustomerFilter> {
  const chosen = FILTER_NAMES.flatMap((name) => {
    const value = c.req.query(name);
    return value ? [[name, value] as const] : [];
  });
  return { ...Object.fromEntries(chosen), domains: await domainDimensions(db) };
}

/** Builds the app; the caller serves it (cli.ts) or a test does. */
export function dashboardApp(options: DashboardOptions): Hono {
  const app = new Hono();
  const read = <T>(work: Parameters<typeof readOnly<T>>[2]): Promise<T> => readOnly(options.pool, options.statementTimeoutMs, work);

  if (options.token) {
    const token = options.token;
    app.use('*', async (c, next) => {
      if (c.req.query('token') !== token && c.req.header('x-strata-token') !== token) return c.text('a valid token is required', 401);
      await next();
    });
  }

  app.get('/', (c) => c.html(dashboardPage()));
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/api/options', async (c) => c.json(await read(async (db) => d.loadFilterOptions(db, await domainDimensions(db)))));
  app.get('/api/view', async (c) => c.json(await read(async (db) => dashboardView(db, await filterOf(c, db)))));
  app.get('/api/customers', async (c) => {
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 100) || 100, 1), 1000);
    return c.json(await read(async (db) => d.loadCustomers(db, await filterOf(c, db), c.req.query('q'), limit)));
  });
  app.get('/api/customers/:id', async (c) => {
    const detail = await read((db) => d.loadCustomerDetail(db, c.req.param('id')));
    return detail ? c.json(detail) : c.json({ error: 'no such customer' }, 404);
  });
  app.get('/api/csv/:table', async (c) => {
    const name = c.req.param('table') as CsvTable;
    if (!CSV_TABLES.includes(name)) return c.text(`unknown table; one of ${CSV_TABLES.join(', ')}`, 404);
    const rows = await read(async (db): Promise<readonly object[]> => {
      const filter = await filterOf(c, db);
      if (name === 'customers') return (await d.loadCustomers(db, filter, c.req.query('q'), 100_000)).rows;
      if (name === 'top-risk') return d.loadTopRisk(db, filter, 1000);
      if (name === 'segments') return d.loadSegments(db, filter);
      return d.loadRfmSegments(db, filter);
    });
    c.header('content-type', 'text/csv; charset=utf-8');
    c.header('content-disposition', `attachment; filename="${name}.csv"`);
    return c.body(toCsv(rows as Readonly<Record<string, unknown>>[]));
  });
  app.onError((error, c) => {
    // the message only: no query text or parameters reach the browser
    const code = (error as { code?: string }).code;
    const status = code === '57014' ? 503 : 500;
    return c.json({ error: code === '57014' ? 'the query took longer than the statement timeout' : error.message }, status);
  });
  return app;
}
