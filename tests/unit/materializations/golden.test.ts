import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stepsFor } from '../../../scripts/execute/materializations/index.ts';
import { GOLDEN_CASES } from '../../golden/materializations/cases.ts';
import { flattenSteps, renderSteps } from '../../golden/materializations/render.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../golden/materializations');
const update = process.env.UPDATE_GOLDEN === '1';

describe('materialisation golden files', () => {
  for (const c of GOLDEN_CASES) {
    it(`${c.name} matches ${c.name}.sql`, () => {
      const actual = renderSteps(stepsFor(c.planned), c.columns);
      const file = join(dir, `${c.name}.sql`);
      if (update) writeFileSync(file, actual);
      expect(existsSync(file), `${file} is missing; run with UPDATE_GOLDEN=1`).toBe(true);
      expect(actual).toBe(readFileSync(file, 'utf8'));
    });

    it(`${c.name}: bodyOffset points at the model's SQL`, () => {
      const withBody = flattenSteps(stepsFor(c.planned), c.columns).filter((s) => s.bodyOffset !== undefined);
      expect(withBody.length).toBeGreaterThan(0);
      for (const s of withBody) expect(s.sql.slice(s.bodyOffset).startsWith(c.planned.sql!)).toBe(true);
    });

    it(`${c.name}: exactly one statement counts the node's rows, unless a view`, () => {
      const counting = flattenSteps(stepsFor(c.planned), c.columns).filter((s) => s.countsRows);
      expect(counting).toHaveLength(c.name === 'view' ? 0 : 1);
    });
  }
});
