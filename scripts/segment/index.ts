/**
 * The pure segmentation library behind `gold.customer_segments`: feature transform, k-means fit
 * with a documented choice of k, stable segment ids, readable names, and the SQL that assigns
 * every customer to the nearest centre. No database here; the TypeScript model feeds rows in
 * and writes results out. Method: docs/segments.md.
 */
export { adjustedRandIndex } from './ari.ts';
export { chooseK, MIN_SEGMENT_SHARE, SILHOUETTE_TIE, type KCandidate } from './choose-k.ts';
export { daviesBouldin } from './davies-bouldin.ts';
export { DEFAULT_K_RANGE, DEFAULT_RESTARTS, fitSegments, SILHOUETTE_SAMPLE, type FitOptions, type SegmentFit } from './fit.ts';
export { kmeansFrom, kmeansRestarts, type KmeansRun, type RestartsResult } from './kmeans.ts';
export { DEFAULT_MATCH_THRESHOLD, matchSegmentIds, type PreviousCentre } from './match.ts';
export { LEVEL_Z, nameSegments } from './namer.ts';
export { NAME_RULES } from './names.ts';
export { featurePosition, populationFromTransform, type FeatureSpread, type Population } from './position.ts';
export { silhouette } from './silhouette.ts';
export { centreColumn, nearestCentreSql, sqlNumber } from './sql.ts';
export { applyTransform, fitTransform, inverseTransform, sampleSkewness, SKEWNESS_THRESHOLD, type FeatureTransform } from './transform.ts';
