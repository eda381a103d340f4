import { Transform, type TransformCallback } from 'node:stream';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Drops a UTF-8 byte order mark at the start of a byte stream. Spreadsheet exports often begin
 * with one, and COPY would otherwise read it as part of the first header name.
 */
export function stripBom(): Transform {
  let head: Buffer | null = Buffer.alloc(0);
  const release = (stream: Transform): void => {
    if (head === null) return;
    stream.push(head.subarray(0, 3).equals(BOM) ? head.subarray(3) : head);
    head = null;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      if (head === null) return done(null, chunk);
      head = Buffer.concat([head, chunk]);
      // wait for three bytes: a chunk boundary may split the mark
      if (head.length >= 3) release(this);
      done();
    },
    flush(done: TransformCallback) {
      release(this);
      done();
    },
  });
}
