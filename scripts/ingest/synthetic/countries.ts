import { UsageError } from '../../core/errors.ts';

/** Country → weight (need not sum to 1). */
export type CountryMix = ReadonlyMap<string, number>;

/** Roughly the Online Retail file's mix: a UK business with European and a few far customers. */
export const DEFAULT_COUNTRY_MIX: CountryMix = new Map([
  ['United Kingdom', 0.89],
  ['Germany', 0.022],
  ['France', 0.02],
  ['EIRE', 0.017],
  ['Spain', 0.006],
  ['Netherlands', 0.006],
  ['Belgium', 0.005],
  ['Switzerland', 0.005],
  ['Portugal', 0.003],
  ['Australia', 0.003],
  ['Norway', 0.003],
  ['Italy', 0.002],
  ['Channel Islands', 0.002],
  ['Finland', 0.002],
  ['Sweden', 0.002],
  ['Denmark', 0.002],
  ['Japan', 0.002],
  ['Poland', 0.002],
  ['USA', 0.001],
  ['Unspecified', 0.001],
]);

/**
 * Reads `--country-mix "United Kingdom=0.8,Germany=0.1,France=0.1"`.
 *
 * @example parseCountryMix('UK=3,France=1') // Map { 'UK' => 3, 'France' => 1 }
 */
export function parseCountryMix(text: string): CountryMix {
  const mix = new Map<string, number>();
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.lastIndexOf('=');
    const name = part.slice(0, eq).trim();
    const weight = Number(part.slice(eq + 1));
    if (eq <= 0 || name === '' || !Number.isFinite(weight) || weight < 0) {
      throw new UsageError(`--country-mix ${part}: expected Country=weight, for example "United Kingdom=0.9,France=0.1"`);
    }
    mix.set(name, weight);
  }
  if ([...mix.values()].reduce((a, b) => a + b, 0) <= 0) throw new UsageError('--country-mix: the weights add up to nothing');
  return mix;
}
