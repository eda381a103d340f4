import type { SyntheticLine } from './line.ts';
import { Random, cumulative } from '../../core/random.ts';

/** One product line as a gift wholesaler's catalogue has it. */
export interface Product {
  readonly stockCode: string;
  /** as written on invoices: a fifth carry a stray trailing space, a few a leading one */
  readonly description: string;
  /** trade price, GBP, two decimals */
  readonly price: string;
  /** what an anonymous (no customer id) buyer pays: the retail price, higher */
  readonly guestPrice: string;
  /** units a line usually comes in (cheap things by the dozen) */
  readonly pack: number;
}

export interface Catalogue {
  readonly products: readonly Product[];
  /** popularity, as running sums (a few products sell far more than the rest) */
  readonly popularity: Float64Array;
}

const PRODUCTS = 3_600;

const LEADS = ['WHITE', 'RED', 'PINK', 'BLUE', 'GREEN', 'IVORY', 'BLACK', 'VINTAGE', 'RETRO', 'PANTRY', 'REGENCY', 'JUMBO', 'SMALL', 'LARGE', 'SET OF 3', 'ASSORTED', 'GLASS', 'WOODEN', 'ENAMEL', 'PAPER'];
const THEMES = ['HEART', 'POLKA DOT', 'SPOTTY', 'UNION JACK', 'BIRD', 'STAR', 'CHRISTMAS', 'PAISLEY', 'ROSES', 'DOLLY GIRL', 'SPACEBOY', 'ALPHABET', 'WOODLAND', 'RABBIT', 'CAKE', 'LOVE', 'FLORAL', 'SKULL', 'OWL', 'CHERRY'];
const ITEMS = ['T-LIGHT HOLDER', 'LANTERN', 'HOT WATER BOTTLE', 'LUNCH BAG', 'JUMBO BAG', 'CAKE CASES', 'MUG', 'TEA TOWEL', 'DOORMAT', 'CANDLE', 'PHOTO FRAME', 'NOTEBOOK', 'GIFT WRAP', 'BUNTING', 'CUSHION COVER', 'WATER BOTTLE', 'BOWL', 'PLATE', 'WALL CLOCK', 'METAL SIGN', 'STORAGE TIN', 'TRINKET BOX', 'BASKET', 'HANGING ORNAMENT', 'GARLAND', 'PURSE', 'UMBRELLA', 'APRON', 'COAT HANGER', 'PAPER CHAIN KIT'];
const PRICE_POINTS = [0.29, 0.39, 0.42, 0.55, 0.65, 0.72, 0.85, 0.95, 1.25, 1.45, 1.65, 1.85, 2.1, 2.55, 2.95, 3.25, 3.75, 4.25, 4.95, 5.95, 6.75, 7.95, 8.5, 9.95, 12.75, 14.95, 16.95, 18.95, 24.95, 29.95, 39.95];

/**
 * The product catalogue for a seed: about 3,600 products with UCI-style stock codes (five digits,
 * sometimes a letter), descriptions, prices and pack sizes, and Zipf-like popularity.
 */
export function buildCatalogue(seed: number): Catalogue {
  // a seed of its own, so the catalogue's stream never coincides with a customer's
  const random = new Random(seed ^ 0x5f3759df, 0);
  const used = new Set<string>();
  const products: Product[] = [];
  while (products.length < PRODUCTS) {
    const base = String(10_000 + random.int(80_000));
    const stockCode = random.chance(0.15) ? base + random.pick(['A', 'B', 'C', 'D', 'E', 'L', 'S']) : base;
    if (used.has(stockCode)) continue;
    used.add(stockCode);
    products.push(product(random, stockCode));
  }
  const weights = products.map((_, rank) => 1 / Math.pow(rank + 1, 0.9));
  return { products, popularity: cumulative(weights) };
}

function product(random: Random, stockCode: string): Product {
  let description = `${random.pick(LEADS)} ${random.pick(THEMES)} ${random.pick(ITEMS)}`;
  // A comma makes the CSV copy quote the field, as 1 % of the real file's lines are quoted.
  if (random.chance(0.012)) description = description.replace(' ', ', ');
  if (random.chance(0.2)) description += ' ';
  else if (random.chance(0.006)) description = ` ${description}`;
  const index = Math.min(PRICE_POINTS.length - 1, Math.max(0, Math.round(13 + 5 * random.normal())));
  const price = PRICE_POINTS[index]!;
  const pack = price < 1 ? random.pick([12, 24, 48]) : price < 3 ? random.pick([6, 12]) : price < 8 ? random.pick([2, 4]) : 1;
  return { stockCode, description, price: price.toFixed(2), guestPrice: (price * 1.2 + 0.01).toFixed(2), pack };
}

/** Lines that are not products, as the real file has them. */
export const SPECIAL = {
  postage: { stockCode: 'POST', description: 'POSTAGE', price: '18.00' },
  dotcom: { stockCode: 'DOT', description: 'DOTCOM POSTAGE' },
  manual: { stockCode: 'M', description: 'Manual' },
  bankCharges: { stockCode: 'BANK CHARGES', description: 'Bank Charges', price: '15.00' },
  carriage: { stockCode: 'C2', description: 'CARRIAGE', price: '50.00' },
  discount: { stockCode: 'D', description: 'Discount' },
  badDebt: { stockCode: 'B', description: 'Adjust bad debt' },
} as const;

export interface SpecialCode {
  readonly stockCode: string;
  readonly description: string;
}

/** A non-product line (postage, fees, adjustments) on an invoice. */
export function specialLine(
  code: SpecialCode,
  on: { readonly invoiceNo: string; readonly invoiceDate: string; readonly customerId: string | null; readonly country: string },
  quantity: number,
  unitPrice: string,
): SyntheticLine {
  return { invoiceNo: on.invoiceNo, stockCode: code.stockCode, description: code.description, quantity, invoiceDate: on.invoiceDate, unitPrice, customerId: on.customerId, country: on.country };
}
