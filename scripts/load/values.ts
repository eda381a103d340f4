import { CompileError } from '../core/errors.ts';
import { didYouMean } from '../core/suggest.ts';
import type { YamlFile, YamlPath } from './yaml-file.ts';

/** A plain YAML mapping. */
export type YamlRecord = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is YamlRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Collects the structural problems of one YAML file, each with the file and line of the node,
 * and offers small typed readers that report instead of throwing.
 */
export class YamlReader {
  constructor(
    readonly yaml: YamlFile,
    readonly errors: CompileError[],
  ) {}

  get file(): string {
    return this.yaml.file;
  }

  line(path: YamlPath): number {
    return this.yaml.lineAt(path);
  }

  fail(path: YamlPath, detail: string, node?: string): void {
    this.errors.push(new CompileError(node, { file: this.yaml.file, line: this.line(path) }, detail));
  }

  /** Reports keys of `value` that are not in `known` (with the closest known one). */
  checkKeys(value: YamlRecord, path: YamlPath, known: readonly string[], what: string): void {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        this.fail([...path, key], `unknown key '${key}' in ${what}${didYouMean(key, known)}`);
      }
    }
  }

  string(value: unknown, path: YamlPath, what: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    this.fail(path, `${what} must be a string, got ${JSON.stringify(value)}`);
    return undefined;
  }

  /** A list of strings; a single string is accepted as a one-item list (as dbt does). */
  stringList(value: unknown, path: YamlPath, what: string): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
    this.fail(path, `${what} must be a list of strings`);
    return undefined;
  }

  record(value: unknown, path: YamlPath, what: string): YamlRecord | undefined {
    if (value === undefined || value === null) return undefined;
    if (isRecord(value)) return value;
    this.fail(path, `${what} must be a mapping`);
    return undefined;
  }

  list(value: unknown, path: YamlPath, what: string): readonly unknown[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.fail(path, `${what} must be a list`);
    return [];
  }
}
