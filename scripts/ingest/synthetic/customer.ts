import { ARCHETYPES, ARCHETYPE_SHARES, type Archetype } from './archetypes.ts';
import { SEASON_PEAK, type Window } from './calendar.ts';
import { SPECIAL, specialLine, type Catalogue, type SpecialCode } from './catalogue.ts';
import { pushLine, type InvoiceCounter, type SyntheticLine } from './line.ts';
import { Random } from '../../core/random.ts';

/** What a customer's lines are drawn from; built once per run. */
export interface Market {
  readonly catalogue: Catalogue;
  readonly window: Window;
  readonly countries: readonly string[];
  /** running sums of the country weights */
  readonly countryWeights: Float64Array;
  readonly invoices: InvoiceCounter;
}

/** Share of customers who also order from a second country (a branch abroad, a moved address). */
const TWO_COUNTRY_SHARE = 0.01;
/** Share of invoices later cancelled in part (the real file: 1.7 % of lines are cancellations). */
const CANCELLED_SHARE = 0.16;

/** A customer's random stream: the archetype is its first draw, so it can be read back alone. */
export function customerRandom(seed: number, index: number): Random {
  return new Random(seed, index + 1);
}

/** The archetype customer `index` has for `seed`, without generating its orders. */
export function archetypeOf(seed: number, index: number): Archetype {
  return ARCHETYPES[customerRandom(seed, index).weighted(ARCHETYPE_SHARES)]!;
}

/**
 * Appends every line customer `index` buys in the window to `out` and returns its archetype.
 *
 * A BG/NBD buyer: first purchase somewhere in the archetype's part of the window; then, while
 * alive, purchases as a Poisson process whose rate follows the season (by thinning); after each
 * purchase it drops out with probability p.
 */
export function customerLines(market: Market, seed: number, index: number, customerId: string, out: SyntheticLine[]): Archetype {
  const random = customerRandom(seed, index);
  const archetype = ARCHETYPES[random.weighted(ARCHETYPE_SHARES)]!;
  const perDay = archetype.ordersPerYear > 0 ? random.gamma(3, archetype.ordersPerYear / 3) / 365.25 : 0;
  const dropout = archetype.dropout >= 1 ? 1 : random.beta(10 * archetype.dropout, 10 * (1 - archetype.dropout));
  const spend = random.gamma(4, 0.25);
  const home = market.countries[random.weighted(market.countryWeights)]!;
  const away = random.chance(TWO_COUNTRY_SHARE) ? otherCountry(market, random, home) : undefined;
  const { days } = market.window;

  let t = random.between(archetype.firstPurchase[0], archetype.firstPurchase[1]) * days;
  for (;;) {
    const country = away !== undefined && random.chance(0.3) ? away : home;
    order(market, random, archetype, spend, t, customerId, country, out);
    if (perDay === 0 || random.chance(dropout)) break;
    t = nextPurchase(market.window, random, t, perDay);
    if (t >= days) break;
  }
  return archetype;
}

/** The next arrival of a Poisson process with seasonal rate perDay × season(t), by thinning. */
function nextPurchase(window: Window, random: Random, from: number, perDay: number): number {
  let t = from;
  do t += random.exponential(perDay * SEASON_PEAK);
  while (t < window.days && !random.chance(window.season(t) / SEASON_PEAK));
  return t;
}

function order(
  market: Market,
  random: Random,
  archetype: Archetype,
  spend: number,
  t: number,
  customerId: string,
  country: string,
  out: SyntheticLine[],
): void {
  const invoiceNo = String(market.invoices.next++);
  const invoiceDate = market.window.timestamp(t, random);
  const count = 1 + random.poisson(archetype.basketLines - 1);
  const first = out.length;
  const { products, popularity } = market.catalogue;
  for (let i = 0; i < count; i++) {
    const product = products[random.weighted(popularity)]!;
    const units = Math.max(1, Math.round(archetype.quantityScale * spend * random.erlang2(0.5)));
    const quantity = random.chance(0.7) ? product.pack * units : units;
    // free samples and replacements go out at 0.00
    const unitPrice = random.chance(0.003) ? '0.00' : product.price;
    const line = { invoiceNo, stockCode: product.stockCode, description: product.description, quantity, invoiceDate, unitPrice, customerId, country };
    pushLine(out, line, random);
  }
  const ordered = out.slice(first);
  const extra = (code: SpecialCode, quantity: number, unitPrice: string): void =>
    pushLine(out, specialLine(code, { invoiceNo, invoiceDate, customerId, country }, quantity, unitPrice), random);
  if (country !== 'United Kingdom' && random.chance(0.6)) extra(SPECIAL.postage, 1 + random.int(3), SPECIAL.postage.price);
  if ((country === 'EIRE' || country === 'Channel Islands') && random.chance(0.3)) extra(SPECIAL.carriage, 1, SPECIAL.carriage.price);
  if (random.chance(0.003)) extra(SPECIAL.manual, 1, random.between(0.5, 300).toFixed(2));
  if (random.chance(0.001)) extra(SPECIAL.bankCharges, 1, SPECIAL.bankCharges.price);
  if (random.chance(CANCELLED_SHARE)) cancel(market, random, t, ordered, customerId, country, out);
}

/** A later `C` invoice taking back some lines of an order (negative quantities), sometimes with a discount. */
function cancel(
  market: Market,
  random: Random,
  t: number,
  ordered: readonly SyntheticLine[],
  customerId: string,
  country: string,
  out: SyntheticLine[],
): void {
  const when = t + random.between(0, 20);
  if (when >= market.window.days || ordered.length === 0) return;
  const invoiceNo = `C${market.invoices.next++}`;
  const invoiceDate = market.window.timestamp(when, random);
  const count = 1 + random.int(Math.min(4, ordered.length));
  for (let i = 0; i < count; i++) {
    const line = ordered[random.int(ordered.length)]!;
    const quantity = -Math.max(1, random.chance(0.7) ? line.quantity : random.int(line.quantity) + 1);
    pushLine(out, { ...line, invoiceNo, invoiceDate, quantity }, random);
  }
  if (random.chance(0.1)) {
    const discount = specialLine(SPECIAL.discount, { invoiceNo, invoiceDate, customerId, country }, -1, random.between(5, 100).toFixed(2));
    pushLine(out, discount, random);
  }
}

function otherCountry(market: Market, random: Random, home: string): string | undefined {
  if (market.countries.length < 2) return undefined;
  for (;;) {
    const country = random.pick(market.countries);
    if (country !== home) return country;
  }
}
