import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * How far the producer may run ahead of the server. A few read chunks' worth, so that parsing the
 * next chunk overlaps the server storing the last one (with the default 16 KB the two took turns).
 */
const BUFFER_BYTES = 4 * 1024 * 1024;

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
