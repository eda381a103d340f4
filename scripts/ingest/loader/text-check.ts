/**
 * Files that are not text the loader can read line by line, recognised from their first bytes so
 * that the message says what is wrong in a sentence, instead of listing a "header" that is really
 * the whole file or text full of NULs.
 */

/** How much of the file's start is looked at. */
const SAMPLE_BYTES = 4096;

/**
 * Why the file's first bytes are not UTF-8 CSV with LF or CRLF line ends, or undefined when they
 * may be. `head` is the start of the (decompressed) content.
 *
 * @example unusableText(Buffer.from('a,b\rc,d\r')) // 'this file uses CR line endings; …'
 */
export function unusableText(head: Buffer): string | undefined {
  if (isUtf16(head)) {
    return 'this file is UTF-16; save it as UTF-8 (in Excel: "CSV UTF-8"), or convert it: iconv -f UTF-16 -t UTF-8 file.csv > file-utf8.csv';
  }
  const text = head.subarray(0, SAMPLE_BYTES).toString('latin1');
  const nl = text.indexOf('\n');
  const firstLine = nl < 0 ? text : text.slice(0, nl);
  const cr = firstLine.indexOf('\r');
  // a CR that is not the one before the first LF (or the last byte looked at)
  if (cr >= 0 && cr < firstLine.length - 1) {
    return "this file uses CR line endings (old Mac style); convert them to LF first: tr '\\r' '\\n' < file.csv > file-lf.csv";
  }
  return undefined;
}

/** A UTF-16 byte-order mark, or (without one) NUL in at least a quarter of the bytes: ASCII text as UTF-16. */
function isUtf16(head: Buffer): boolean {
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return true;
  const sample = head.subarray(0, SAMPLE_BYTES);
  if (sample.length < 8) return false;
  let nul = 0;
  for (const byte of sample) if (byte === 0) nul++;
  return nul * 4 >= sample.length;
}
