import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompileError, CompileErrors } from '../core/errors.ts';
import { isRecord } from './values.ts';
import { parseYaml } from './yaml-file.ts';

/** The argument types an operation may take, as written in operations/_operations.yml. */
export const ARGUMENT_TYPES = ['text', 'integer', 'number', 'json'] as const;
export type ArgumentType = (typeof ARGUMENT_TYPES)[number];

export interface OperationArgument {
  readonly name: string;
  readonly type: ArgumentType;
  readonly description: string;
  readonly default?: string | number;
  readonly enum?: readonly string[];
}

export interface OperationColumn {
  readonly name: string;
  readonly description: string;
  readonly unit?: string;
}

/** One documented gold function. */
export interface Operation {
  readonly name: string;
  readonly description: string;
  readonly arguments: readonly OperationArgument[];
  readonly columns: readonly OperationColumn[];
  /** a helper of the other operations: documented and granted, not an MCP tool */
  readonly internal: boolean;
}

export interface OperationsProject {
  /** the SQL files creating the functions, in name order: file (relative) and text */
  readonly files: readonly { readonly file: string; readonly sql: string }[];
  readonly operations: readonly Operation[];
}

/** The folder of a project holding the gold operations. */
export const OPERATIONS_DIR = 'operations';
const PROPERTIES_FILE = '_operations.yml';

/**
 * Reads `operations/*.sql` and `operations/_operations.yml` of a project. A project without the
 * folder has no operations. Errors name the file and line.
 */
export async function loadOperations(projectDir: string): Promise<OperationsProject> {
  const dir = join(projectDir, OPERATIONS_DIR);
  if (!existsSync(dir)) return { files: [], operations: [] };
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  const files = await Promise.all(
    names.map(async (n) => ({ file: `${OPERATIONS_DIR}/${n}`, sql: await readFile(join(dir, n), 'utf8') })),
  );
  const propertiesPath = join(dir, PROPERTIES_FILE);
  const file = `${OPERATIONS_DIR}/${PROPERTIES_FILE}`;
  if (!existsSync(propertiesPath)) {
    if (files.length === 0) return { files, operations: [] };
    throw new CompileErrors([new CompileError(undefined, { file, line: 1 }, 'missing: every operation must be documented here')]);
  }
  return { files, operations: readProperties(file, await readFile(propertiesPath, 'utf8')) };
}

function readProperties(file: string, text: string): Operation[] {
  const errors: CompileError[] = [];
  const yaml = parseYaml(file, text, errors);
  const operations: Operation[] = [];
  const list = yaml && isRecord(yaml.value) ? yaml.value['operations'] : undefined;
  if (yaml && !Array.isArray(list)) errors.push(new CompileError(undefined, { file, line: 1 }, "expected a list 'operations:'"));
  (Array.isArray(list) ? list : []).forEach((entry: unknown, index) => {
    const fail = (path: readonly (string | number)[], detail: string) =>
      errors.push(new CompileError(undefined, { file, line: yaml!.lineAt(['operations', index, ...path]) }, detail));
    if (!isRecord(entry) || typeof entry['name'] !== 'string' || typeof entry['description'] !== 'string') {
      fail([], 'each operation needs a name and a description');
      return;
    }
    const args: OperationArgument[] = [];
    (Array.isArray(entry['arguments']) ? entry['arguments'] : []).forEach((a: unknown, i) => {
      if (!isRecord(a) || typeof a['name'] !== 'string' || typeof a['description'] !== 'string') {
        fail(['arguments', i], `operation ${entry['name']}: each argument needs a name and a description`);
        return;
      }
      const type = a['type'];
      if (!(ARGUMENT_TYPES as readonly unknown[]).includes(type)) {
        fail(['arguments', i, 'type'], `operation ${entry['name']}: argument ${a['name']} has type ${String(type)}; expected ${ARGUMENT_TYPES.join(', ')}`);
        return;
      }
      const fallback = a['default'];
      const choices = a['enum'];
      args.push({
        name: a['name'],
        type: type as ArgumentType,
        description: a['description'],
        ...(typeof fallback === 'string' || typeof fallback === 'number' ? { default: fallback } : {}),
        ...(Array.isArray(choices) ? { enum: choices.map(String) } : {}),
      });
    });
    const columns: OperationColumn[] = [];
    (Array.isArray(entry['columns']) ? entry['columns'] : []).forEach((c: unknown, i) => {
      if (!isRecord(c) || typeof c['name'] !== 'string' || typeof c['description'] !== 'string') {
        fail(['columns', i], `operation ${entry['name']}: each column needs a name and a description`);
        return;
      }
      columns.push({ name: c['name'], description: c['description'], ...(typeof c['unit'] === 'string' ? { unit: c['unit'] } : {}) });
    });
    operations.push({ name: entry['name'], description: entry['description'].trim(), arguments: args, columns, internal: entry['internal'] === true });
  });
  if (errors.length > 0) throw new CompileErrors(errors);
  return operations;
}
