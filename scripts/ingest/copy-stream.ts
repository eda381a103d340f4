import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * How far the producer may run ahead of the server. A few read chunks' worth, so that parsing the
 * next chunk overlaps the server storing the last one (with the default 16 KB the two took turns).
 */
const BUFFER_BYTES = 4 * 1024 * 1024;

/** COPY text gathered before it is sent: large pieces, but never more than this in memory. */
const PIECE_CHARS = 1 << 20;

/**
 * Runs `sql` (a `COPY … FROM STDIN`) with the text `chunks` yields (whole lines, each ending in
 * `\n`), gathered into pieces of about PIECE_CHARS and sent with back-pressure; `onPiece` after
 * each piece is sent. Resolves with the rows the server took. On any failure, the generator's
 * included, the COPY is abandoned (the server rolls it back) and the error thrown again.
 */
export async function copyPieces(client: pg.PoolClient, sql: string, chunks: Iterable<string>, onPiece?: () => void): Promise<number> {
  const copy = new CopyIn(client, sql);
  try {
    let piece = '';
    for (const chunk of chunks) {
      piece += chunk;
      if (piece.length < PIECE_CHARS) continue;
      await copy.write(piece);
      piece = '';
      onPiece?.();
    }
    await copy.write(piece);
    return await copy.finish();
  } catch (error) {
    await copy.abort(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

/**
 * One `COPY … FROM STDIN` on a client, written to in large text pieces with back-pressure:
 * write() resolves once no more than BUFFER_BYTES wait to be sent, so a producer that awaits it
 * holds a bounded amount in memory however large the input.
 */
export class CopyIn {
  private readonly stream: ReturnType<typeof copyFrom>;
  private failure: Error | undefined;

  /** `sql` is the whole COPY statement, e.g. `copy landing.order_lines (a, b) from stdin`. */
  constructor(client: pg.PoolClient, sql: string) {
    this.stream = client.query(copyFrom(sql, { highWaterMark: BUFFER_BYTES }));
    this.stream.on('error', (error: Error) => {
      this.failure = error;
    });
  }

  /** Sends COPY text (whole lines, each ending in `\n`). */
  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (text.length === 0) return;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  /** Ends the COPY; resolves with the rows the server took. */
  async finish(): Promise<number> {
    if (this.failure) throw this.failure;
    this.stream.end();
    await once(this.stream, 'finish');
    return this.stream.rowCount;
  }

  /** Abandons the COPY (the server rolls it back); resolves once the server has answered. */
  async abort(reason: Error): Promise<void> {
    if (this.failure || this.stream.destroyed) return;
    const closed = once(this.stream, 'close').catch(() => undefined);
    this.stream.destroy(reason);
    await closed;
  }
}
