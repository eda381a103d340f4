// The entry of the npm scripts (`npm run build-models` is `node scripts/cli/start.mjs build`):
// plain JavaScript that loads the packages the command needs natively, then registers tsx and
// runs the `strata` program (index.ts), as ts-worker/entry.mjs does for a model's worker thread.
//
// Why: tsx's hooks run on a thread of their own and every file resolved through them costs a
// round trip. A build imports kysely (983 files), the k-means and matching packages (500 more,
// ml-spectra-processing) and diff: through the hooks that was about a second of each build-models
// start on a loaded machine, and 15 MiB (docs/benchmarks.md, "Issue 7: kept fits, lazy
// commands"). Loaded first, they are not loaded again through tsx. sql-formatter is not among
// them: a build whose compile is cached (compile/cache.ts) formats nothing and never loads it.
// `node --import tsx scripts/cli/index.ts <command>` runs the same program, only slower to start.
import { register as registerCommonJs } from 'tsx/cjs/api';
import { register as registerEsm } from 'tsx/esm/api';

/** Packages loaded natively before tsx, for the commands that build or run models. */
const MODEL_PACKAGES = ['pg', 'kysely', 'ml-kmeans', 'linear-sum-assignment', 'ml-matrix', 'diff'];
const NATIVE = { build: MODEL_PACKAGES, seed: MODEL_PACKAGES, test: MODEL_PACKAGES, bench: MODEL_PACKAGES };

for (const name of NATIVE[process.argv[2]] ?? ['pg']) await import(name);

// both hooks, as `--import tsx` does: a model file outside any package.json is CommonJS-scoped,
// and without tsx's CommonJS hook Node refuses its `export default`
registerCommonJs();
registerEsm();

await import('./index.ts');
