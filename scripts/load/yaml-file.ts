import { LineCounter, isNode, parseDocument } from 'yaml';
import { CompileError } from '../core/errors.ts';

/** A path into a YAML document: map keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/** A parsed YAML file: its plain value, and the line of any node in it. */
export interface YamlFile {
  /** relative to the project dir */
  readonly file: string;
  readonly value: unknown;
  /**
   * 1-based line of the node at `path`; when the path cannot be followed (an alias, a
   * missing key) the line of the nearest ancestor that exists.
   */
  lineAt(path: YamlPath): number;
}

/**
 * Parses YAML text keeping line information. Syntax errors are pushed to `errors` (with the
 * line the parser names) and `undefined` is returned.
 */
export function parseYaml(file: string, text: string, errors: CompileError[]): YamlFile | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const line = error.linePos?.[0].line ?? 1;
      // the parser's message repeats the position and quotes the source; the first clause is enough
      const reason = error.message.split(/ at line \d+/)[0] ?? error.message;
      errors.push(new CompileError(undefined, { file, line }, `invalid YAML: ${reason}`));
    }
    return undefined;
  }
  const value: unknown = doc.toJS({ maxAliasCount: 10_000 });
  return {
    file,
    value: value ?? {},
    lineAt(path) {
      for (let length = path.length; length >= 0; length -= 1) {
        const node: unknown = length === 0 ? doc.contents : doc.getIn(path.slice(0, length), true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return 1;
    },
  };
}
