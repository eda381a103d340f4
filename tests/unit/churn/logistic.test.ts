import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../scripts/core/random.ts';
import { crossValidate } from '../../../scripts/churn/cv.ts';
import { designRow, designTerms, scoreRow, type FeatureRow } from '../../../scripts/churn/design.ts';
import { fitLogistic, linearPredictor, sigmoid } from '../../../scripts/churn/logistic.ts';
import { trainChurnModel } from '../../../scripts/churn/train.ts';

/** A standard normal draw (Box–Muller) from a seeded uniform source. */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** n rows from a logistic model with known coefficients (intercept first), features N(0, 1). */
function generate(n: number, beta: readonly number[], seed: number): { x: number[][]; y: number[] } {
  const random = seededRandom(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [1, ...beta.slice(1).map(() => normal(random))];
    x.push(row);
    y.push(random() < sigmoid(linearPredictor(row, beta)) ? 1 : 0);
  }
  return { x, y };
}

describe('logistic regression by IRLS', () => {
  it('recovers known coefficients from generated data', () => {
    const beta = [-1.2, 0.8, -0.5, 0.3, 0];
    const { x, y } = generate(40_000, beta, 7);
    const fit = fitLogistic(x, y);
    // standard errors here are about 0.015; 0.06 is four of them
    fit.coefficients.forEach((b, j) => expect(Math.abs(b - beta[j]!)).toBeLessThan(0.06));
    expect(fit.iterations).toBeLessThan(15);
  });

  it('meets the penalised optimality condition: Xᵀ(y - p) = λβ off the intercept, 0 on it', () => {
    const { x, y } = generate(2_000, [0.3, 1.5, -2, 0.7], 11);
    const lambda = 25;
    const { coefficients } = fitLogistic(x, y, { lambda });
    for (let j = 0; j < coefficients.length; j++) {
      let g = 0;
      for (let i = 0; i < x.length; i++) g += x[i]![j]! * (y[i]! - sigmoid(linearPredictor(x[i]!, coefficients)));
      expect(g - (j === 0 ? 0 : lambda * coefficients[j]!)).toBeCloseTo(0, 6);
    }
    // and the penalty shrinks: every slope is smaller than unpenalised
    const plain = fitLogistic(x, y).coefficients;
    for (let j = 1; j < coefficients.length; j++) expect(Math.abs(coefficients[j]!)).toBeLessThan(Math.abs(plain[j]!));
  });

  it('refuses a singular system without a penalty, and fits it with one', () => {
    const x = [[1, 1, 1], [1, 2, 2], [1, 3, 3], [1, 4, 4]]; // two identical columns
    const y = [0, 1, 0, 1];
    expect(() => fitLogistic(x, y)).toThrow(/singular/);
    expect(fitLogistic(x, y, { lambda: 1 }).coefficients).toHaveLength(3);
  });

  it('cross-validation prefers a weak penalty on signal and the strongest on noise', () => {
    const signal = generate(3_000, [0, 1.5, -1], 3);
    const ids = signal.x.map((_, i) => `c${i}`);
    expect(crossValidate(signal.x, signal.y, ids).lambda).toBeLessThanOrEqual(10);
    const noise = generate(3_000, [0, 0, 0, 0, 0, 0, 0], 5);
    expect(crossValidate(noise.x, noise.y, ids).lambda).toBe(1000);
  });
});

describe('design and scoring', () => {
  it('standardises numbers, one-hots categories against the most frequent, and scores as the fit', () => {
    const random = seededRandom(2);
    const rows = Array.from({ length: 4_000 }, (_, i) => {
      const tier = ['Star', 'Star', 'Nova', 'Aurora'][Math.floor(random() * 4)]!;
      const months = Math.floor(random() * 60);
      const risk = -2 + 0.04 * (30 - months) + (tier === 'Aurora' ? 0.8 : 0);
      const features: FeatureRow = { months, tier, missing: i % 10 === 0 ? null : months };
      return { id: `m${i}`, label: random() < sigmoid(risk) ? 1 : 0, features };
    });
    const spec = { numeric: ['months', 'missing'], categorical: ['tier'] };
    const terms = designTerms(
      rows.map((r) => r.features),
      spec,
    );
    expect(terms.map((t) => `${t.kind}:${t.term}${t.level ? `=${t.level}` : ''}`)).toEqual([
      'intercept:intercept',
      'numeric:months',
      'numeric:missing',
      'indicator:tier=Aurora',
      'indicator:tier=Nova',
    ]);
    const model = trainChurnModel(rows, spec, { grid: [0.01] });
    const aurora = model.coefficients.find((c) => c.level === 'Aurora')!.coefficient;
    expect(aurora).toBeGreaterThan(0.5);
    const row = rows[5]!.features;
    const z = linearPredictor(
      designRow(row, model.coefficients),
      model.coefficients.map((c) => c.coefficient),
    );
    const score = scoreRow(row, model.coefficients);
    expect(score.logit).toBeCloseTo(z, 12);
    expect(score.probability).toBeCloseTo(sigmoid(z), 12);
    expect(score.contributions).toHaveLength(4);
  });
});
