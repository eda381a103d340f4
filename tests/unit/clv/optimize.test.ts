import { describe, expect, it } from 'vitest';
import { invert, numericalHessian, standardErrors } from '../../../scripts/clv/hessian.ts';
import { minimize, nelderMead } from '../../../scripts/clv/optimize.ts';

const rosenbrock = ([x, y]: readonly number[]): number => 100 * (y! - x! ** 2) ** 2 + (1 - x!) ** 2;

describe('Nelder–Mead with restarts', () => {
  it('finds the minimum of the Rosenbrock valley', () => {
    const result = minimize(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
    expect(result.fx).toBeLessThan(1e-10);
  });

  it('says so when it runs out of iterations', () => {
    const result = nelderMead(rosenbrock, [-1.2, 1], { maxIterations: 5 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(5);
  });

  it('treats NaN as +Infinity, so a function undefined somewhere can still be minimised', () => {
    const f = ([x]: readonly number[]): number => (x! < 0 ? NaN : (x! - 2) ** 2);
    expect(minimize(f, [0.5]).x[0]).toBeCloseTo(2, 6);
  });
});

describe('standard errors from the numerical Hessian', () => {
  it('give the textbook standard errors of a normal sample', () => {
    // NLL(μ, σ) of n observations: at the MLE, se(μ) = σ̂/√n and se(σ) = σ̂/√(2n)
    const data = [2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 4.1, 3.9, 2.5];
    const n = data.length;
    const mean = data.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(data.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    const nll = ([mu, sigma]: readonly number[]): number =>
      n * Math.log(sigma!) + data.reduce((s, v) => s + (v - mu!) ** 2, 0) / (2 * sigma! ** 2);
    const [seMean, seSd] = standardErrors(numericalHessian(nll, [mean, sd]));
    expect(seMean).toBeCloseTo(sd / Math.sqrt(n), 6);
    expect(seSd).toBeCloseTo(sd / Math.sqrt(2 * n), 6);
  });

  it('are NaN when the Hessian is singular', () => {
    expect(invert([[1, 2], [2, 4]])).toBeUndefined();
    expect(standardErrors([[1, 2], [2, 4]])).toEqual([NaN, NaN]);
  });
});
