import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUMMARY_CSV, WITH_SPEND_CSV, cdnowSummary } from './cdnow.ts';

/**
 * `clv predict` on CDNOW's calibration summary (2,357 customers, weeks), checked customer by
 * customer against the papers' formulas written out here independently (plain series for 2F1,
 * direct powers), over the 39-week holdout, to 1e-4; and against the published worked example
 * (FHL 2005: x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in 39 weeks).
 */
// asynchronous: a synchronous child would block the test worker for the seconds a fit takes
function clv(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      'npx',
      ['tsx', 'scripts/cli/index.ts', 'clv', ...args],
      { cwd: new URL('../../..', import.meta.url).pathname, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => done({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Gauss's series Σ (a)_k (b)_k / ((c)_k k!) z^k, |z| < 1. */
function gauss(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 0; k < 100_000 && Math.abs(term) > 1e-16 * Math.abs(sum); k++) {
    term *= ((a + k) * (b + k)) / ((c + k) * (k + 1)) * z;
    sum += term;
  }
  return sum;
}

type Params = Record<string, number>;
interface Customer { x: number; tx: number; T: number }

/** Fader, Hardie & Lee (2005) eqs. (10) and the P(alive) of their 2008 note. */
function bgnbd({ r, alpha, a, b }: Params, { x, tx, T }: Customer, t: number): [number, number] {
  const pAlive = x === 0 ? 1 : 1 / (1 + (a! / (b! + x - 1)) * ((alpha! + T) / (alpha! + tx)) ** (r! + x));
  const bracket = 1 - ((alpha! + T) / (alpha! + T + t)) ** (r! + x) * gauss(r! + x, b! + x, a! + b! + x - 1, t / (alpha! + T + t));
  return [pAlive, ((a! + b! + x - 1) / (a! - 1)) * bracket * pAlive];
}

/** Batislam, Denizel & Filiztekin (2007), with Wagner & Hoppe's (2008) erratum. */
function mbgnbd({ r, alpha, a, b }: Params, { x, tx, T }: Customer, t: number): [number, number] {
  const pAlive = 1 / (1 + (a! / (b! + x)) * ((alpha! + T) / (alpha! + tx)) ** (r! + x));
  const bracket = 1 - ((alpha! + T) / (alpha! + T + t)) ** (r! + x) * gauss(r! + x, b! + x + 1, a! + b! + x, t / (alpha! + T + t));
  return [pAlive, ((a! + b! + x) / (a! - 1)) * bracket * pAlive];
}

/** Fader & Hardie (2005), "A note on deriving the Pareto/NBD model", eqs. (11), (22)/(23) and (41). */
function pareto({ r, alpha, s, beta }: Params, { x, tx, T }: Customer, t: number): [number, number] {
  const [m, second] = alpha! >= beta! ? [alpha!, s! + 1] : [beta!, r! + x];
  const gap = Math.abs(alpha! - beta!);
  const e = r! + s! + x;
  const a0 = gauss(e, second, e + 1, gap / (m + tx)) / (m + tx) ** e - gauss(e, second, e + 1, gap / (m + T)) / (m + T) ** e;
  const pAlive = 1 / (1 + (s! / e) * (alpha! + T) ** (r! + x) * (beta! + T) ** s! * a0);
  const expected = (((r! + x) * (beta! + T)) / ((alpha! + T) * (s! - 1))) * (1 - ((beta! + T) / (beta! + T + t)) ** (s! - 1)) * pAlive;
  return [pAlive, expected];
}

const FORMULAS = { bgnbd, mbgnbd, pareto } as const;

function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = text.trim().split('\n').map((line) => line.split(','));
  return { header: header!, rows };
}

describe('clv predict', { timeout: 120_000 }, () => {
  it('gives every CDNOW customer the papers\' P(alive) and 39-week expectation, each model fitted on the file', async () => {
    const customers = cdnowSummary();
    for (const model of ['bgnbd', 'mbgnbd', 'pareto'] as const) {
      const run = await clv('predict', '--model', model, '--summary', SUMMARY_CSV, '--map', 'id=ID', '--horizon', '39');
      expect(run.status, run.stderr).toBe(0);
      const params = JSON.parse(/fitted \w+: (\{.*\})/.exec(run.stderr)![1]!) as Params;
      const { header, rows } = parseCsv(run.stdout);
      expect(header).toEqual(['id', 'p_alive', 'expected_purchases']);
      expect(rows).toHaveLength(customers.length);
      rows.forEach(([id, pAlive, purchases], i) => {
        expect(id).toBe(String(i + 1));
        const [p, e] = FORMULAS[model](params, customers[i]!, 39);
        expect(Math.abs(Number(pAlive) - p), `${model} customer ${id} p_alive`).toBeLessThan(1e-4);
        expect(Math.abs(Number(purchases) - e), `${model} customer ${id} purchases`).toBeLessThan(1e-4);
      });
    }
  });

  it('uses given parameters and reproduces the BG/NBD worked example (customer 1: 1.226 purchases in 39 weeks)', async () => {
    const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const run = await clv('predict', '--model', 'bgnbd', '--summary', SUMMARY_CSV, '--map', 'id=ID', '--horizon', '39', '--params', JSON.stringify(params));
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('fitted');
    const { rows } = parseCsv(run.stdout);
    expect(Number(rows[0]![2]).toFixed(3)).toBe('1.226');
    const [, expected] = bgnbd(params, { x: 2, tx: 30.43, T: 38.86 }, 39);
    expect(Math.abs(Number(rows[0]![2]) - expected)).toBeLessThan(1e-9);
  });

  it('adds the Gamma-Gamma expected spend when the file has a monetary column', async () => {
    const run = await clv('predict', '--model', 'bgnbd', '--summary', WITH_SPEND_CSV, '--map', 'id=ID,frequency=x,recency=t_x,monetary_value=zbar',
      '--horizon', '39', '--spend-params', '{"p": 6.25, "q": 3.74, "v": 15.44}');
    expect(run.status, run.stderr).toBe(0);
    const { header, rows } = parseCsv(run.stdout);
    expect(header).toEqual(['id', 'p_alive', 'expected_purchases', 'expected_spend']);
    // Fader, Hardie & Lee (2005b), eq. 5: E(M | x, zbar) = p (v + x zbar) / (p x + q - 1), customer 1 as in the file
    const file = parseCsv(readFileSync(WITH_SPEND_CSV, 'utf8'));
    const [x, zbar] = [Number(file.rows[0]![1]), Number(file.rows[0]![4])];
    expect(Math.abs(Number(rows[0]![3]) - (6.25 * (15.44 + x * zbar)) / (6.25 * x + 3.74 - 1))).toBeLessThan(1e-9);
  });

  it('explains itself with --help on every command and rejects what does not apply', async () => {
    for (const args of [['--help'], ['fit', '--help'], ['predict', '--help'], ['-h']]) {
      const run = await clv(...args);
      expect(run.status, args.join(' ')).toBe(0);
      expect(run.stdout).toMatch(/^Usage: strata clv/);
    }
    expect((await clv('predict', '--help')).stdout).toContain('--horizon <units>');
    expect((await clv('fit', '--help')).stdout).not.toContain('--horizon');
    const wrong = await clv('fit', '--model', 'bgnbd', '--summary', SUMMARY_CSV, '--horizon', '39');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("unknown option '--horizon'");
    const noId = await clv('predict', '--model', 'bgnbd', '--summary', SUMMARY_CSV);
    expect(noId.status).toBe(2);
    expect(noId.stderr).toContain('no column "id" for id (name it with --map id=<column>)');
  });
});
