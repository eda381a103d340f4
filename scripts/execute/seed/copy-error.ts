import { InputError } from '../../core/errors.ts';
import { csvRecords } from './csv-records.ts';

/** The parts of PostgreSQL's COPY error context: `COPY t, line 3, column amount: "abc"`. */
export interface CopyContext {
  /** a physical line of the file; for a record spanning lines, the line it ends on */
  readonly line: number;
  readonly column?: string;
  readonly value?: string;
}

export function parseCopyContext(where: string | undefined): CopyContext | undefined {
  const m = where ? /COPY [^,]+, line (\d+)(?:, column ([^:]+))?(?:: "([\s\S]*)")?/.exec(where) : null;
  if (!m) return undefined;
  return { line: Number(m[1]), ...(m[2] ? { column: m[2] } : {}), ...(m[3] !== undefined ? { value: m[3] } : {}) };
}

/**
 * A COPY failure as an InputError naming the file's line, the column and the server's reason
 * (which quotes the value). When the record spans lines (quoted newlines) it says where it starts.
 */
export async function copyInputError(absPath: string, error: unknown): Promise<InputError | undefined> {
  const e = error as { message?: string; where?: string };
  const context = parseCopyContext(e.where);
  if (!context) return undefined;
  const start = await recordStart(absPath, context.line);
  const spans = start !== undefined && start < context.line ? `record starting on line ${start}, ` : '';
  const column = context.column ? `column ${context.column}: ` : '';
  return new InputError(absPath, context.line, `${spans}${column}${e.message ?? 'COPY failed'}`);
}

async function recordStart(absPath: string, endLine: number): Promise<number | undefined> {
  try {
    for await (const r of csvRecords(absPath)) {
      if (r.endLine >= endLine) return r.line;
    }
  } catch {
    // malformed past this point: COPY's line is all we have
  }
  return undefined;
}
