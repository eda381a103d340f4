import { parse, type Info } from 'csv-parse/sync';

/** Where the splitter sends what it finds, in file order except as noted on CsvRecordSplitter. */
export interface RecordSink {
  /** one CSV record: its fields, the physical line it starts on (1-based), its text without the line end */
  record(fields: string[], line: number, raw: string): void;
  /** text that is not a valid CSV record (bad quoting), with csv-parse's explanation */
  malformed(line: number, raw: string, detail: string): void;
}

/** A record still open at the end of a line (a quoted field holding a line break). */
interface Pending {
  readonly line: number;
  /** the first line, as read */
  readonly first: string;
  raw: string;
  /** the physical lines after the first, as read (a CR before the LF kept) */
  readonly rest: string[];
  /**
   * index in `rest` of the first line that is, on its own, a complete record as wide as the header:
   * where reading resumes if the quote turns out never to close properly
   */
  recoverAt: number | undefined;
}

/** A line longer than this is not a CSV line (a file with bare CR line ends, or not text at all). */
const MAX_LINE_CHARS = 16 * 1024 * 1024;
/** A quoted field this long is taken to be unterminated rather than buffered forever. */
const MAX_RECORD_CHARS = 1024 * 1024;

const CSV_OPTIONS = { relax_column_count: true, record_delimiter: '\n', bom: false } as const;

/**
 * Splits decoded CSV text into records and their physical line numbers, streaming chunk by chunk.
 *
 * Why not hand the whole stream to csv-parse: its byte-at-a-time loop reads about 300,000 lines a
 * second here, below the loader's 500,000 aim before any other work is done. So the work is split:
 * a line with no `"` at all is split on commas (what any RFC 4180 parser does with it, and >99 % of
 * real lines); every record that holds a quote goes to csv-parse, gathered per chunk into one call.
 * Consequence: within one chunk, quoted records reach the sink after the plain lines around them.
 * Rows carry their line number, so nothing depends on the order they land in.
 *
 * Line ends may be LF or CRLF; a CR inside a quoted field is kept as text.
 */
export class CsvRecordSplitter {
  private carry = '';
  private nextLine = 1;
  private pending: Pending | undefined;
  /** until the header is out, quoted records are parsed one by one to keep it first */
  private ordered = true;
  private batchRaws: string[] = [];
  private batchLines: number[] = [];
  /** the header's field count (the first record's), once it has been read */
  private width: number | undefined;

  constructor(private readonly sink: RecordSink) {}

  /** Feeds the next piece of text; complete records are sent to the sink before it returns. */
  push(text: string): void {
    const data = this.carry.length > 0 ? this.carry + text : text;
    let pos = 0;
    for (;;) {
      const nl = data.indexOf('\n', pos);
      if (nl < 0) break;
      this.line(data.slice(pos, nl));
      pos = nl + 1;
    }
    this.carry = pos === 0 ? data : data.slice(pos);
    if (this.carry.length > MAX_LINE_CHARS) {
      throw new RangeError(`line ${this.nextLine} is longer than ${MAX_LINE_CHARS} characters; line ends must be LF or CRLF`);
    }
    this.flushBatch();
  }

  /** The text is complete: the last line may lack a line end; an open quote is reported. */
  end(): void {
    if (this.carry.length > 0) {
      const last = this.carry;
      this.carry = '';
      this.line(last);
    }
    // recovering re-reads lines, which may open another quote that never closes
    while (this.pending) this.abandonPending('a quoted field is not closed before the end of the file');
    this.flushBatch();
  }

  /** One physical line, without its LF. */
  private line(text: string): void {
    const lineNo = this.nextLine++;
    if (this.pending) return this.continuePending(text);
    const n = text.length;
    const line = n > 0 && text.charCodeAt(n - 1) === 13 ? text.slice(0, n - 1) : text;
    // A blank line carries no record (csv-parse's default too); it still counts as a line.
    if (line.length === 0) return;
    if (line.indexOf('"') < 0) {
      this.ordered = false;
      const fields = splitOnCommas(line);
      this.width ??= fields.length;
      this.sink.record(fields, lineNo, line);
      return;
    }
    if (endsInsideQuotes(text, false)) this.pending = { line: lineNo, first: text, raw: text, rest: [], recoverAt: undefined };
    else this.quoted(line, lineNo);
  }

  /**
   * A line read while a quoted field is open. A line break inside quotes is legal, so the record
   * normally just continues; but an opening quote that is never properly closed would swallow the
   * rest of the file. So the first following line that is a whole record on its own is remembered,
   * and if the joined text turns out not to be one record as wide as the header, only the lines
   * before it are quarantined and reading resumes there.
   */
  private continuePending(text: string): void {
    const pending = this.pending!;
    pending.raw += '\n' + text;
    pending.rest.push(text);
    if (pending.recoverAt === undefined && this.isWholeRecord(text)) pending.recoverAt = pending.rest.length - 1;
    if (!endsInsideQuotes(text, true)) {
      const raw = pending.raw.endsWith('\r') ? pending.raw.slice(0, -1) : pending.raw;
      if (pending.recoverAt === undefined || this.isWholeRecord(raw)) {
        this.pending = undefined;
        this.quoted(raw, pending.line);
      } else this.abandonPending('a quoted field opened on this line is not closed where the record ends');
    } else if (pending.raw.length > MAX_RECORD_CHARS) {
      this.abandonPending(`a quoted field runs past ${MAX_RECORD_CHARS} characters without closing`);
    }
  }

  /**
   * Gives up on the open record: its first line (and any lines up to the first that is a record on
   * its own) is reported malformed, and the lines from there on are read again as fresh lines.
   */
  private abandonPending(detail: string): void {
    const pending = this.pending!;
    this.pending = undefined;
    const cut = pending.recoverAt ?? pending.rest.length;
    const bad = [pending.first, ...pending.rest.slice(0, cut)].join('\n');
    const resumeLine = pending.line + 1 + cut;
    const why = cut < pending.rest.length ? `${detail}; reading resumed at line ${resumeLine}` : detail;
    this.sink.malformed(pending.line, bad.endsWith('\r') ? bad.slice(0, -1) : bad, why);
    const after = this.nextLine;
    this.nextLine = resumeLine;
    for (const text of pending.rest.slice(cut)) this.line(text);
    this.nextLine = after;
  }

  /** True when `text`, standing alone, is one well-formed record with as many fields as the header. */
  private isWholeRecord(text: string): boolean {
    if (this.width === undefined) return false;
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (line.indexOf('"') < 0) return splitOnCommas(line).length === this.width;
    if (endsInsideQuotes(line, false)) return false;
    try {
      const records = parse(line + '\n', CSV_OPTIONS) as string[][];
      return records.length === 1 && records[0]!.length === this.width;
    } catch {
      return false;
    }
  }

  private quoted(raw: string, line: number): void {
    if (this.ordered) {
      this.ordered = false;
      this.parseOne(raw, line);
      return;
    }
    this.batchRaws.push(raw);
    this.batchLines.push(line);
  }

  /**
   * Parses the chunk's quoted records in one csv-parse call. Each output record is matched to its
   * input by the byte offset where it ends; a record csv-parse skipped (bad quoting can also swallow
   * the next one) is parsed again alone, which gives the exact error for that record only.
   */
  private flushBatch(): void {
    const raws = this.batchRaws;
    if (raws.length === 0) return;
    const lines = this.batchLines;
    this.batchRaws = [];
    this.batchLines = [];
    const starts: number[] = [];
    const endToIndex = new Map<number, number>();
    let offset = 0;
    for (let i = 0; i < raws.length; i++) {
      starts.push(offset);
      offset += Buffer.byteLength(raws[i]!) + 1;
      endToIndex.set(offset, i);
    }
    const done = new Array<boolean>(raws.length).fill(false);
    let parsed: { record: string[]; info: Info }[] = [];
    try {
      parsed = parse(raws.join('\n') + '\n', { ...CSV_OPTIONS, info: true, skip_records_with_error: true });
    } catch {
      parsed = []; // every record is retried alone below
    }
    let previousEnd = 0;
    for (const { record, info } of parsed) {
      const i = endToIndex.get(info.bytes);
      // A match must also begin where its input began: then nothing before it was swallowed.
      if (i !== undefined && starts[i] === previousEnd) {
        this.sink.record(record, lines[i]!, raws[i]!);
        done[i] = true;
      }
      previousEnd = info.bytes;
    }
    for (let i = 0; i < raws.length; i++) if (!done[i]) this.parseOne(raws[i]!, lines[i]!);
  }

  private parseOne(raw: string, line: number): void {
    try {
      const records = parse(raw + '\n', CSV_OPTIONS) as string[][];
      if (records.length === 1) {
        this.width ??= records[0]!.length;
        this.sink.record(records[0]!, line, raw);
      } else this.sink.malformed(line, raw, `expected one record, csv-parse read ${records.length}`);
    } catch (error) {
      // csv-parse counts lines within the one record it was given: its "at line 1" would mislead.
      const detail = error instanceof Error ? error.message : String(error);
      this.sink.malformed(line, raw, detail.replace(/ (at|on) line \d+/g, ''));
    }
  }
}

/** `line.split(',')`, which V8 runs about a third slower than this loop for short fields. */
function splitOnCommas(line: string): string[] {
  const fields: string[] = [];
  let start = 0;
  for (;;) {
    const comma = line.indexOf(',', start);
    if (comma < 0) break;
    fields.push(line.slice(start, comma));
    start = comma + 1;
  }
  fields.push(start === 0 ? line : line.slice(start));
  return fields;
}

/**
 * Whether a line ends inside a quoted field, given whether it began inside one. A quote opens a
 * field only at the field's start (RFC 4180); a stray quote elsewhere is text, and csv-parse will
 * judge that record on its own.
 */
export function endsInsideQuotes(line: string, startInside: boolean): boolean {
  let inside = startInside;
  let atFieldStart = !startInside;
  let i = 0;
  const n = line.length;
  while (i < n) {
    if (inside) {
      const q = line.indexOf('"', i);
      if (q < 0) return true;
      if (line.charCodeAt(q + 1) === 34) {
        i = q + 2;
        continue;
      }
      inside = false;
      i = q + 1;
      continue;
    }
    const c = line.charCodeAt(i);
    if (c === 34 && atFieldStart) inside = true;
    atFieldStart = c === 44;
    i++;
  }
  return inside;
}
