import { describe, expect, it } from 'vitest';
import { clvMain } from '../../../scripts/clv/cli.ts';
import { SUMMARY_CSV, WITH_SPEND_CSV } from './cdnow.ts';

/** Runs `clv …` as the command line does, in-process (spawning `npx tsx` cost seconds a call). */
async function clv(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await clvMain(args, { out: (text) => (stdout += text), err: (text) => (stderr += text) });
  return { status, stdout, stderr };
}

describe('clv fit', () => {
  it('prints one JSON object with the BG/NBD fit of CDNOW', async () => {
    const run = await clv('fit', '--model', 'bgnbd', '--summary', SUMMARY_CSV);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual([
      'model',
      'params',
      'log_likelihood',
      'converged',
      'customers',
      'standard_errors',
      'iterations',
    ]);
    expect(out.model).toBe('bgnbd');
    expect(out.converged).toBe(true);
    expect(out.customers).toBe(2357);
    const params = out.params as Record<string, number>;
    expect(params.r!.toFixed(3)).toBe('0.243');
    expect(params.b!.toFixed(3)).toBe('2.426');
    expect((out.log_likelihood as number).toFixed(1)).toBe('-9582.4');
    expect(Object.keys(out.standard_errors as object)).toEqual(['r', 'alpha', 'a', 'b']);
  });

  it("reads the file's own column names with --map", async () => {
    const map = 'frequency=x,recency=t_x,T=T,monetary_value=zbar';
    const run = await clv('fit', '--model', 'gammagamma', '--summary', WITH_SPEND_CSV, '--map', map);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as { params: Record<string, number>; customers: number };
    expect(out.customers).toBe(946);
    expect(out.params.p!.toFixed(2)).toBe('6.25');
    expect(out.params.q!.toFixed(2)).toBe('3.74');
  });

  it('exits with 2 and names a mapped column the file does not have', async () => {
    const map = 'frequency=x,monetary_value=spend';
    const run = await clv('fit', '--model', 'gammagamma', '--summary', WITH_SPEND_CSV, '--map', map);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'UsageError: the summary file has no column "spend" for monetary_value; its columns are: ID, x, t_x, T, zbar',
    );
  });

  it('exits with 2 for an unknown model', async () => {
    const run = await clv('fit', '--model', 'nbd', '--summary', SUMMARY_CSV);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown model "nbd"; expected one of bgnbd, mbgnbd, pareto, bgbb, gammagamma');
  });
});
