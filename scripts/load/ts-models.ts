import { pathToFileURL } from 'node:url';
import { CompileError } from '../core/errors.ts';
import type { ModelFile } from '../core/types.ts';
import { isRecord } from './values.ts';

/**
 * Imports a TypeScript model and reads what its default export declares. The runner runs under
 * tsx, so importing `.ts` works; the module is not run here, only its declaration is read.
 */
export async function readTsModel(
  absolutePath: string,
  file: string,
  name: string,
  errors: CompileError[],
): Promise<ModelFile['ts'] | undefined> {
  const fail = (detail: string) => {
    errors.push(new CompileError(`model.${name}`, { file, line: 1 }, detail));
    return undefined;
  };
  let module: unknown;
  try {
    module = await import(pathToFileURL(absolutePath).href);
  } catch (error) {
    return fail(`cannot import the TS model: ${(error as Error).message}`);
  }
  const declared = isRecord(module) ? module['default'] : undefined;
  if (!isRecord(declared)) return fail('a TS model must `export default defineModel({ dependsOn, run })`');
  const { dependsOn, config, description, run } = declared;
  if (!Array.isArray(dependsOn) || !dependsOn.every((d) => typeof d === 'string')) {
    return fail('dependsOn must be a list of model or seed names');
  }
  if (typeof run !== 'function') return fail('a TS model needs a run(ctx) function');
  if (config !== undefined && !isRecord(config)) return fail('config must be an object');
  if (description !== undefined && typeof description !== 'string') return fail('description must be a string');
  return {
    dependsOn: dependsOn as string[],
    config: config ?? {},
    ...(description === undefined ? {} : { description }),
    module: absolutePath,
  };
}
