import { describe, expect, it } from 'vitest';
import { COPY_NULL, copyRaw, copyText, needsCopyEscape } from '../../../scripts/ingest/copy-text.ts';

describe('COPY text escaping', () => {
  it('escapes the four characters that would break a COPY text line', () => {
    expect(copyText('a\tb')).toBe('a\\tb');
    expect(copyText('line1\nline2')).toBe('line1\\nline2');
    expect(copyText('crlf\r\n')).toBe('crlf\\r\\n');
    expect(copyText('C:\\temp')).toBe('C:\\\\temp');
    // an escaped backslash is never escaped twice, and a backslash before n stays text
    expect(copyText('\\n')).toBe('\\\\n');
    expect(copyText('\\\t')).toBe('\\\\\\t');
  });

  it('keeps other text exactly, spaces and quotes included', () => {
    expect(copyText('  WHITE HANGING HEART ')).toBe('  WHITE HANGING HEART ');
    expect(copyText('POPPY\'S "PLAYHOUSE"')).toBe('POPPY\'S "PLAYHOUSE"');
    expect(copyText('Gift Voucher £10')).toBe('Gift Voucher £10');
  });

  it('writes NULL for an empty or missing value, but never for raw text', () => {
    expect(copyText('')).toBe(COPY_NULL);
    expect(copyText(null)).toBe('\\N');
    expect(copyText(undefined)).toBe('\\N');
    expect(copyRaw('')).toBe('');
    expect(copyRaw('a\tb\\')).toBe('a\\tb\\\\');
  });

  it('tells whether a line needs escaping at all', () => {
    expect(needsCopyEscape('536365,85123A,WHITE,6')).toBe(false);
    expect(needsCopyEscape('a\tb')).toBe(true);
    expect(needsCopyEscape('a\\b')).toBe(true);
    expect(needsCopyEscape('a\rb')).toBe(true);
  });
});
