// The entry of a TypeScript model's worker thread (pool.ts). A worker starts without the
// loader its parent was started with (Node 20 applies no --import to a worker's entry file), so
// this plain-JS file registers tsx itself, then runs the TypeScript side (worker.ts).
//
// kysely and pg are imported first, before tsx: tsx's hooks run on a thread of their own and every
// file resolved through them costs a round trip (kysely's 279 files took about five times as long
// through them). Already loaded, they are not loaded again through tsx.
import 'kysely';
import 'pg';
import { register as registerCommonJs } from 'tsx/cjs/api';
import { register as registerEsm } from 'tsx/esm/api';

// both hooks, as `--import tsx` does: a model file outside any package.json is CommonJS-scoped,
// and without tsx's CommonJS hook Node refuses its `export default`
registerCommonJs();
registerEsm();

await import('./worker.ts');
