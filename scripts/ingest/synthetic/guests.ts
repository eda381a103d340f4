import { SEASON_PEAK } from './calendar.ts';
import { SPECIAL, specialLine } from './catalogue.ts';
import type { Market } from './customer.ts';
import { pushLine, type SyntheticLine } from './line.ts';
import type { Random } from '../../core/random.ts';

/**
 * Orders with no customer id (a quarter of the real file's lines): large anonymous baskets at
 * retail prices, mostly from the UK, often with DOTCOM postage; among them the stock adjustments
 * that have no description and a 0.00 price, and now and then an "Adjust bad debt" line with a
 * negative price on an `A` invoice.
 */
export function guestOrder(market: Market, random: Random, out: SyntheticLine[]): void {
  const { days } = market.window;
  let t: number;
  do t = random.between(0, days);
  while (!random.chance(market.window.season(t) / SEASON_PEAK));

  if (random.chance(0.0005)) {
    const on = { invoiceNo: `A${market.invoices.next++}`, invoiceDate: market.window.timestamp(t, random), customerId: null, country: 'United Kingdom' };
    out.push(specialLine(SPECIAL.badDebt, on, 1, (-random.between(1000, 12000)).toFixed(2)));
    return;
  }
  const invoiceNo = String(market.invoices.next++);
  const invoiceDate = market.window.timestamp(t, random);
  const country = random.chance(0.97) ? 'United Kingdom' : market.countries[random.weighted(market.countryWeights)]!;
  const { products, popularity } = market.catalogue;
  const count = 1 + random.poisson(35);
  for (let i = 0; i < count; i++) {
    const product = products[random.weighted(popularity)]!;
    if (random.chance(0.01)) {
      // a stock adjustment: no description, no price, either sign
      const quantity = (random.chance(0.5) ? -1 : 1) * (1 + random.int(50));
      out.push({ invoiceNo, stockCode: product.stockCode, description: null, quantity, invoiceDate, unitPrice: '0.00', customerId: null, country });
      continue;
    }
    const quantity = 1 + random.poisson(0.8);
    pushLine(out, { invoiceNo, stockCode: product.stockCode, description: product.description, quantity, invoiceDate, unitPrice: product.guestPrice, customerId: null, country }, random);
  }
  if (random.chance(0.3)) {
    pushLine(out, specialLine(SPECIAL.dotcom, { invoiceNo, invoiceDate, customerId: null, country }, 1, random.between(20, 900).toFixed(2)), random);
  }
}
