import { CompileError } from '../core/errors.ts';
import type { IndexConfig, SourceLocation } from '../core/types.ts';
import type { ConfigEntry } from './config-merge.ts';
import { didYouMean } from '../core/suggest.ts';

/** Typed readers over merged config entries; each reports a wrong type and returns a fallback. */
export class ConfigValues {
  constructor(
    readonly node: string,
    readonly merged: ReadonlyMap<string, ConfigEntry>,
    readonly errors: CompileError[],
  ) {}

  fail(location: SourceLocation, detail: string): void {
    this.errors.push(new CompileError(this.node, location, detail));
  }

  private entry(key: string): ConfigEntry | undefined {
    const entry = this.merged.get(key);
    return entry === undefined || entry.value === null || entry.value === undefined ? undefined : entry;
  }

  string(key: string): string | undefined {
    const entry = this.entry(key);
    if (!entry) return undefined;
    if (typeof entry.value === 'string' && entry.value !== '') return entry.value;
    this.fail(entry.location, `config ${key} must be a non-empty string, got ${JSON.stringify(entry.value)}`);
    return undefined;
  }

  boolean(key: string, fallback: boolean): boolean {
    const entry = this.entry(key);
    if (!entry) return fallback;
    if (typeof entry.value === 'boolean') return entry.value;
    this.fail(entry.location, `config ${key} must be true or false, got ${JSON.stringify(entry.value)}`);
    return fallback;
  }

  /** A list of strings; one string is a one-item list. */
  stringList(key: string): readonly string[] | undefined {
    const entry = this.entry(key);
    if (!entry) return undefined;
    if (typeof entry.value === 'string') return [entry.value];
    if (Array.isArray(entry.value) && entry.value.every((x) => typeof x === 'string')) return entry.value as string[];
    this.fail(entry.location, `config ${key} must be a string or a list of strings, got ${JSON.stringify(entry.value)}`);
    return undefined;
  }

  stringMap(key: string): void {
    const entry = this.entry(key);
    const value = entry?.value;
    const ok = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((t) => typeof t === 'string');
    if (entry && !ok) this.fail(entry.location, `config ${key} must map column names to SQL types`);
  }

  optionalOneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const entry = this.entry(key);
    if (!entry) return undefined;
    if ((allowed as readonly unknown[]).includes(entry.value)) return entry.value as T;
    const given = String(entry.value);
    this.fail(entry.location, `config ${key} must be one of ${allowed.join(', ')}, got '${given}'${didYouMean(given, allowed)}`);
    return undefined;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    return this.optionalOneOf(key, allowed) ?? fallback;
  }

  indexes(): readonly IndexConfig[] {
    const entry = this.entry('indexes');
    if (!entry) return [];
    const bad = () => this.fail(entry.location, 'config indexes must be a list of {columns: [...], unique: bool, type: text, where: text}');
    if (!Array.isArray(entry.value)) return (bad(), []);
    const indexes: IndexConfig[] = [];
    for (const item of entry.value as unknown[]) {
      const index = item as Record<string, unknown> | null;
      const columns = index?.['columns'];
      const extra = index ? Object.keys(index).filter((k) => !['columns', 'unique', 'type', 'where'].includes(k)) : [];
      if (!index || typeof index !== 'object' || !Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string')
        || (index['unique'] !== undefined && typeof index['unique'] !== 'boolean')
        || (index['type'] !== undefined && typeof index['type'] !== 'string')
        || (index['where'] !== undefined && typeof index['where'] !== 'string') || extra.length > 0) {
        bad();
        continue;
      }
      indexes.push({
        columns: columns as string[],
        ...(index['unique'] === undefined ? {} : { unique: index['unique'] as boolean }),
        ...(index['type'] === undefined ? {} : { type: index['type'] as string }),
        ...(index['where'] === undefined ? {} : { where: index['where'] as string }),
      });
    }
    return indexes;
  }
}
