import { UsageError } from '../../core/errors.ts';
import { normalizeDate } from '../loader/dates.ts';
import type { ArchetypeName } from './archetypes.ts';
import { Window } from './calendar.ts';
import { buildCatalogue } from './catalogue.ts';
import { DEFAULT_COUNTRY_MIX, parseCountryMix, type CountryMix } from './countries.ts';
import { customerLines, type Market } from './customer.ts';
import { guestOrder } from './guests.ts';
import type { SyntheticLine } from './line.ts';
import { Random, cumulative } from '../../core/random.ts';

export interface GenerateOptions {
  /** how many customers (each buys at least once) */
  readonly customers: number;
  /** fixes every row: same seed and options, same rows */
  readonly seed: number;
  /** first day of the window, YYYY-MM-DD (default 2010-12-01, as the Online Retail file) */
  readonly start?: string;
  /** length of the window in calendar months (default 12) */
  readonly months?: number;
  /** length of the window in days, instead of months (1: one day of orders, "the next day") */
  readonly days?: number;
  /** country weights, or `--country-mix` text such as "United Kingdom=0.9,France=0.1" */
  readonly countryMix?: CountryMix | string;
  /** customer ids are firstCustomerId, firstCustomerId + 1, … (default 100001, clear of the UCI ids) */
  readonly firstCustomerId?: number;
  /** invoice numbers count up from here (default 536365, where the UCI file's begin) */
  readonly firstInvoiceNo?: number;
}

export type ResolvedOptions = Required<Omit<GenerateOptions, 'countryMix' | 'days'>> & {
  readonly countryMix: CountryMix;
  /** the window's length in days when given so; otherwise `months` sets it */
  readonly days: number | undefined;
};

/** Lines generated for one customer (or one anonymous order), in order. */
export interface Block {
  readonly lines: readonly SyntheticLine[];
  readonly customer?: { readonly id: string; readonly archetype: ArchetypeName };
}

/** What an option is when not given. */
export const DEFAULTS = { start: '2010-12-01', months: 12, firstCustomerId: 100_001, firstInvoiceNo: 536_365 } as const;

/** Share of lines without a customer id, as in the Online Retail file (135,080 of 541,909). */
export const GUEST_SHARE = 0.25;
const MAX_CUSTOMERS = 50_000_000;

/** Options with defaults filled in; UsageError for values that make no sense. */
export function resolveOptions(options: GenerateOptions): ResolvedOptions {
  const { customers, seed } = options;
  if (!Number.isInteger(customers) || customers < 1 || customers > MAX_CUSTOMERS) {
    throw new UsageError(`--customers must be a whole number from 1 to ${MAX_CUSTOMERS.toLocaleString('en-US')}, not ${customers}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new UsageError(`--seed must be a whole number from 0 to 4294967295, not ${seed}`);
  }
  const start = options.start ?? DEFAULTS.start;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || normalizeDate(start) === undefined) {
    throw new UsageError(`--start must be a date written YYYY-MM-DD, not ${JSON.stringify(start)}`);
  }
  const months = options.months ?? DEFAULTS.months;
  if (!Number.isInteger(months) || months < 1 || months > 240) throw new UsageError(`--months must be a whole number from 1 to 240, not ${months}`);
  const days = options.days;
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 7305)) {
    throw new UsageError(`--days must be a whole number from 1 to 7305, not ${days}`);
  }
  if (days !== undefined && options.months !== undefined) throw new UsageError('give --days or --months, not both');
  const firstCustomerId = options.firstCustomerId ?? DEFAULTS.firstCustomerId;
  if (!Number.isSafeInteger(firstCustomerId) || firstCustomerId < 0) {
    throw new UsageError(`--first-customer-id must be a whole number, not ${firstCustomerId}`);
  }
  const firstInvoiceNo = options.firstInvoiceNo ?? DEFAULTS.firstInvoiceNo;
  if (!Number.isSafeInteger(firstInvoiceNo) || firstInvoiceNo < 0) {
    throw new UsageError(`--first-invoice-no must be a whole number, not ${firstInvoiceNo}`);
  }
  const mix = options.countryMix;
  const countryMix = mix === undefined ? DEFAULT_COUNTRY_MIX : typeof mix === 'string' ? parseCountryMix(mix) : mix;
  return { customers, seed, start, months, days, firstCustomerId, firstInvoiceNo, countryMix };
}

/**
 * Every synthetic line, one customer at a time: memory holds one customer's lines, whatever the
 * number of customers. Anonymous orders are interleaved so that GUEST_SHARE of all lines lack a
 * customer id.
 */
export function* generateBlocks(resolved: ResolvedOptions): Generator<Block> {
  const market = marketFor(resolved);
  const guests = new Random(resolved.seed, 0); // stream 0: customers use 1, 2, …
  const perCustomerLine = GUEST_SHARE / (1 - GUEST_SHARE);
  let guestLinesOwed = 0;
  for (let index = 0; index < resolved.customers; index++) {
    const lines: SyntheticLine[] = [];
    const id = String(resolved.firstCustomerId + index);
    const archetype = customerLines(market, resolved.seed, index, id, lines);
    yield { lines, customer: { id, archetype: archetype.name } };
    guestLinesOwed += lines.length * perCustomerLine;
    while (guestLinesOwed > 0) {
      const anonymous: SyntheticLine[] = [];
      guestOrder(market, guests, anonymous);
      guestLinesOwed -= anonymous.length;
      yield { lines: anonymous };
    }
  }
}

/**
 * The synthetic lines one by one (for tests, and anything that wants rows rather than COPY text).
 *
 * @example for await (const line of generateLines({ customers: 100, seed: 7 })) console.log(line.invoiceNo);
 */
export async function* generateLines(options: GenerateOptions): AsyncGenerator<SyntheticLine> {
  for (const block of generateBlocks(resolveOptions(options))) yield* block.lines;
}

function marketFor(resolved: ResolvedOptions): Market {
  const countries = [...resolved.countryMix.keys()];
  return {
    catalogue: buildCatalogue(resolved.seed),
    window: new Window(resolved.start, resolved.months, resolved.days),
    countries,
    countryWeights: cumulative(countries.map((c) => resolved.countryMix.get(c)!)),
    invoices: { next: resolved.firstInvoiceNo },
  };
}
