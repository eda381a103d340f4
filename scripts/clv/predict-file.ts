/**
 * `clv predict`: one CSV row per customer of a summary file with P(alive), expected purchases
 * over a horizon and, when the file has a monetary column, the Gamma-Gamma expected spend per
 * purchase. The parameters are fitted on the same file (as `clv fit` does) or given. The file is
 * read twice as a stream (fit, then predict), so memory never holds it.
 */
import { readFile } from 'node:fs/promises';
import { createReadStream, existsSync } from 'node:fs';
import { UsageError } from '../core/errors.ts';
import { fitModel } from './fit.ts';
import { predictPAlive, predictPurchases, predictSpend, toPurchaseModel } from './predict.ts';
import { readSummaryFile, readSummaryRecords, type ColumnNames } from './read-summary.ts';
import type { GammaGammaParams, PurchaseModelName } from './types.ts';

export interface PredictRequest {
  readonly model: PurchaseModelName;
  readonly summary: string;
  readonly columns: ColumnNames;
  /** in the summary's time unit */
  readonly horizon: number;
  /** JSON text or a JSON file: the purchase model's parameters, or `clv fit`'s output */
  readonly params?: string;
  /** the same for the Gamma-Gamma parameters {p, q, v} */
  readonly spendParams?: string;
}

/** Writes the CSV through `write`; returns the number of customers. Warnings go to `warn`. */
export async function predictFile(request: PredictRequest, write: (text: string) => void, warn: (text: string) => void): Promise<number> {
  const purchase = toPurchaseModel({ model: request.model, params: request.params ? await readParams(request.params, '--params') : await fitted(request, warn) });
  const hasMonetary = await fileHasColumn(request.summary, request.columns.monetary_value);
  const spend: GammaGammaParams | undefined = hasMonetary
    ? ((request.spendParams ? await readParams(request.spendParams, '--spend-params') : await fittedSpend(request, warn)) as unknown as GammaGammaParams)
    : undefined;
  write(`${['id', 'p_alive', 'expected_purchases', ...(spend ? ['expected_spend'] : [])].join(',')}\n`);
  let customers = 0;
  for await (const { row, id } of readSummaryRecords(request.summary, 'purchase', request.columns, { withId: true, withMonetary: true })) {
    const values = [predictPAlive(purchase, row), predictPurchases(purchase, row, request.horizon)];
    if (spend) values.push(predictSpend(spend, { x: row.x, monetary: row.x > 0 ? (row.monetary ?? 0) : 0 }));
    write(`${csvField(id ?? '')},${values.map(String).join(',')}\n`);
    customers += 1;
  }
  return customers;
}

async function fitted(request: PredictRequest, warn: (text: string) => void): Promise<Record<string, number>> {
  const summary = await readSummaryFile(request.summary, 'purchase', request.columns);
  const fit = fitModel(request.model, summary.rows);
  for (const warning of fit.warnings) warn(`warning: ${warning}\n`);
  warn(`fitted ${request.model}: ${JSON.stringify(fit.params)}\n`);
  return fit.params;
}

async function fittedSpend(request: PredictRequest, warn: (text: string) => void): Promise<Record<string, number>> {
  const summary = await readSummaryFile(request.summary, 'spend', request.columns);
  const fit = fitModel('gammagamma', summary.rows);
  for (const warning of fit.warnings) warn(`warning: ${warning}\n`);
  warn(`fitted gammagamma: ${JSON.stringify(fit.params)}\n`);
  return fit.params;
}

/** `{"r": …}` or `{"model": …, "params": {"r": …}}`, inline or in a file. */
async function readParams(spec: string, flag: string): Promise<Record<string, number>> {
  const text = spec.trim().startsWith('{') ? spec : existsSync(spec) ? await readFile(spec, 'utf8') : undefined;
  if (text === undefined) throw new UsageError(`${flag} must be a JSON object or a JSON file; "${spec}" is neither`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag}: not valid JSON (${(error as Error).message})`);
  }
  const object = parsed !== null && typeof parsed === 'object' && 'params' in parsed ? (parsed as { params: unknown }).params : parsed;
  if (object === null || typeof object !== 'object' || !Object.values(object).every((v) => typeof v === 'number')) {
    throw new UsageError(`${flag}: expected an object of numbers such as {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4}`);
  }
  return object as Record<string, number>;
}

async function fileHasColumn(file: string, column: string): Promise<boolean> {
  const stream = createReadStream(file, { encoding: 'utf8', end: 65_535 });
  let head = '';
  for await (const chunk of stream) {
    head += chunk as string;
    if (head.includes('\n')) break;
  }
  stream.destroy();
  const header = head.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  return header.split(',').map((c) => c.trim().replace(/^"|"$/g, '')).includes(column);
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
