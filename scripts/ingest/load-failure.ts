import { InputError, StrataError } from '../core/errors.ts';
import { failedBatchNote } from './batches.ts';

/** The error a user sees for a failed load: the file (and line), PostgreSQL's words, the failed batch. */
export function describeFailure(error: unknown, file: string, failedBatch: number | undefined): StrataError {
  const recorded = failedBatchNote(failedBatch);
  if (error instanceof InputError) {
    const where = `${error.file}${error.line === undefined ? '' : `:${error.line}`}: `;
    return new InputError(error.file, error.line, `${error.message.slice(where.length)}${recorded}`, { cause: error });
  }
  if (error instanceof StrataError) return error;
  const pgError = error as { message?: string; where?: string; detail?: string; severity?: string };
  if (pgError.severity) {
    const extra = [pgError.detail, pgError.where].filter(Boolean).join('; ');
    return new StrataError(`loading ${file} failed: PostgreSQL said: ${pgError.message}${extra ? ` (${extra})` : ''}${recorded}`, { cause: error });
  }
  return new StrataError(`loading ${file} failed: ${error instanceof Error ? error.message : String(error)}${recorded}`, { cause: error });
}

/** The error a user sees for a failed generator run: its options, the reason, the failed batch. */
export function generationFailure(error: unknown, run: string, failedBatch: number | undefined): StrataError {
  if (error instanceof StrataError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StrataError(`generating ${run} failed: ${reason}${failedBatchNote(failedBatch)}`, { cause: error });
}
