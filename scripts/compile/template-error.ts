/**
 * Reads the line out of a nunjucks error. nunjucks prints `(file) [Line N, Column M]` with a
 * 1-based N for errors found while parsing, but a 0-based N for errors raised while rendering
 * (and leaves the position out entirely for line 0), so the caller says which phase failed.
 */
export function templateErrorLocation(
  error: unknown,
  text: string,
  phase: 'parse' | 'render',
): { line: number; message: string } {
  const raw = error instanceof Error ? error.message : String(error);
  const position = /\[Line (\d+), Column \d+\]/.exec(raw);
  // the message proper follows the `(file) [Line …]` header, indented on the next line
  const body = raw.includes('\n') ? raw.slice(raw.indexOf('\n') + 1) : raw;
  const message = body.trim().replace(/^Error: /, '');
  const lines = text.split('\n').length;
  let line: number;
  if (position) line = Number(position[1]) + (phase === 'render' ? 1 : 0);
  else if (phase === 'parse' && /end of file/.test(message)) line = lines;
  else line = 1;
  return { line: Math.min(Math.max(line, 1), lines), message };
}
