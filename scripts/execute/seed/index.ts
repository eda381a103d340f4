/** Seeds: CSV files loaded with COPY into the build's schema. */
export { inferSeedColumns, type SeedColumn } from './infer-columns.ts';
export { loadSeed } from './load-seed.ts';
