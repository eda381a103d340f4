import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../../core/errors.ts';

/** A file about to be read: its size, and whether it is gzip (by its first bytes, not its name). */
export interface SourceFile {
  readonly path: string;
  readonly bytes: number;
  readonly gzip: boolean;
}

/** Read size: large enough that per-chunk costs vanish, small enough to overlap with the server. */
export const CHUNK_BYTES = 256 * 1024;

/** Checks that `path` is a readable regular file and looks at its first bytes. */
export async function openSource(path: string): Promise<SourceFile> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InputError(path, undefined, 'not a regular file');
    size = info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as { code?: string }).code;
    throw new InputError(path, undefined, code === 'ENOENT' ? 'no such file' : `cannot read: ${code ?? String(error)}`, { cause: error });
  }
  const handle = await open(path, 'r').catch((error: { code?: string }) => {
    throw new InputError(path, undefined, `cannot read: ${error.code ?? String(error)}`);
  });
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return { path, bytes: size, gzip: bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b };
  } finally {
    await handle.close();
  }
}

/** sha256 of the file's bytes as stored (compressed, for a .gz), hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The file's content as a byte stream (decompressed when gzip), and a function telling how many of
 * the file's own bytes have been read so far (for progress against the file size).
 */
export function readSource(source: SourceFile): { stream: Readable; bytesRead: () => number } {
  const file = createReadStream(source.path, { highWaterMark: CHUNK_BYTES });
  const bytesRead = (): number => file.bytesRead;
  if (!source.gzip) return { stream: file, bytesRead };
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  file.on('error', (error) => gunzip.destroy(error));
  return { stream: file.pipe(gunzip), bytesRead };
}
