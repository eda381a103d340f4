/** plan: selection and physical names for one build. Pure; never opens a connection. */
export { buildTag, versionedSchema } from './build-tag.ts';
export { planBuild, type PlanInput } from './plan-build.ts';
export { publicPlanResolver } from './public-resolver.ts';
export { selectNodes, type Selection } from './select.ts';
export { replaceTokens, resolveTokens } from './tokens.ts';
