/**
 * The legs of a view that is a `union all` of independent selects, as silver.order_lines and
 * silver.returns are (one leg per source). Why: a view's changed rows are its SQL over one
 * input's changed rows with every other input as it is now (plan/scoped-keys.ts), and for a
 * union that means every other leg in full. In a database holding Online Retail, TravelTide and
 * the airline, each leg of another source then counted as changed: an 8,040-line retail batch
 * took 26.2 s, four statements of 13–17 s finding the invoices to check among every airline and
 * travel line. Leg by leg, a leg that reads no changed input has no changed row.
 *
 * Recognised shapes (comments and string literals are skipped; anything else is not split):
 *   select … union all select … [union all …]
 *   with a as (…), b as (…) select … union all select …
 *   with a as (…), …, unioned as (select * from a union all select * from b) select * from unioned
 * A top-level `union` without `all`, `intersect`, `except`, or an `order by`, `limit`, `offset`
 * or `fetch` after the legs, is not split: those combine rows across legs.
 */
export interface UnionLegs {
  /**
   * Each leg as a query of its own, the view's CTEs before it. Every leg after the first reads
   * its column names from the first leg (`select * from (<first leg>) where false union all
   * <leg>`), as the union names them; the planner drops the empty first leg without reading it.
   */
  readonly legs: readonly string[];
  /** Per leg, the text it may read: its own and that of every CTE it names, directly or not. */
  readonly reads: readonly string[];
}

interface Cte {
  readonly name: string;
  readonly body: string;
}

export function unionLegs(sql: string): UnionLegs | undefined {
  // dollar quotes are not scanned: such a view is left whole
  if (/\$\w*\$/.test(sql)) return undefined;
  const parsed = splitWith(sql);
  if (parsed === undefined) return undefined;
  const { prefix, ctes, final } = parsed;
  let legs = splitUnionAll(final);
  if (legs === undefined) return undefined;
  if (legs.length === 1) {
    // `select * from unioned`, where unioned is the union
    const name = /^\s*select\s+\*\s+from\s+("?)(\w+)\1\s*$/i.exec(stripComments(final))?.[2];
    const cte = ctes.find((c) => c.name.toLowerCase() === name?.toLowerCase());
    if (cte === undefined) return undefined;
    legs = splitUnionAll(cte.body);
    if (legs === undefined || legs.length === 1) return undefined;
  }
  const first = legs[0]!;
  return {
    legs: legs.map((leg, i) => `${prefix}${i === 0 ? leg : `select * from (\n${first}\n) as strata_names where false\nunion all\n${leg}`}`),
    reads: legs.map((leg) => readsOfLeg(leg, ctes)),
  };
}

/** The leg's text and that of every CTE it names, transitively (a word test: more, never fewer). */
function readsOfLeg(leg: string, ctes: readonly Cte[]): string {
  const found = new Set<Cte>();
  const queue = [leg];
  while (queue.length > 0) {
    const text = stripComments(queue.pop()!);
    for (const cte of ctes) {
      if (found.has(cte) || !new RegExp(`\\b${cte.name}\\b`, 'i').test(text)) continue;
      found.add(cte);
      queue.push(cte.body);
    }
  }
  return [leg, ...[...found].map((c) => c.body)].join('\n');
}

/**
 * `with a as (…), b as (…) <final>` into its CTEs and final select; `prefix` is the text up to the
 * final select (the whole `with` list), to put before a leg. A query without `with` has no CTEs.
 */
function splitWith(sql: string): { prefix: string; ctes: Cte[]; final: string } | undefined {
  const scan = new Scanner(sql);
  scan.skipBlank();
  if (!scan.keyword('with')) return { prefix: '', ctes: [], final: sql };
  if (scan.keyword('recursive')) return undefined;
  const ctes: Cte[] = [];
  for (;;) {
    scan.skipBlank();
    const name = scan.identifier();
    if (name === undefined) return undefined;
    scan.skipBlank();
    if (scan.char() === '(') return undefined; // a column list: not worth recognising
    if (!scan.keyword('as')) return undefined;
    scan.skipBlank();
    if (scan.keyword('not')) scan.skipBlank();
    if (scan.keyword('materialized')) scan.skipBlank();
    if (scan.char() !== '(') return undefined;
    const open = scan.at;
    const close = scan.closing();
    if (close === undefined) return undefined;
    ctes.push({ name, body: sql.slice(open + 1, close) });
    scan.at = close + 1;
    scan.skipBlank();
    if (scan.char() !== ',') break;
    scan.at++;
  }
  return { prefix: sql.slice(0, scan.at) + '\n', ctes, final: sql.slice(scan.at) };
}

/** The top-level `union all` legs of a select, or undefined when it combines rows otherwise. */
function splitUnionAll(select: string): string[] | undefined {
  const scan = new Scanner(select);
  const cuts: { from: number; to: number }[] = [];
  while (scan.at < select.length) {
    if (scan.skipQuotedOrComment()) continue;
    const c = select[scan.at]!;
    if (c === '(') {
      const close = scan.closing();
      if (close === undefined) return undefined;
      scan.at = close + 1;
      continue;
    }
    if (/[a-z_]/i.test(c) && (scan.at === 0 || !/[\w$]/.test(select[scan.at - 1]!))) {
      const word = /^[a-z_][\w$]*/i.exec(select.slice(scan.at))![0].toLowerCase();
      if (['intersect', 'except', 'limit', 'offset', 'fetch'].includes(word)) return undefined;
      if (word === 'order' && /^order\s+by\b/i.test(select.slice(scan.at))) return undefined;
      if (word === 'union') {
        const start = scan.at;
        scan.at += word.length;
        scan.skipBlank();
        if (!scan.keyword('all')) return undefined;
        cuts.push({ from: start, to: scan.at });
        continue;
      }
      scan.at += word.length;
      continue;
    }
    scan.at++;
  }
  const legs: string[] = [];
  let from = 0;
  for (const cut of cuts) {
    legs.push(select.slice(from, cut.from));
    from = cut.to;
  }
  legs.push(select.slice(from));
  return legs.map((l) => l.trim());
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
}

/** A position in SQL text that steps over comments and quoted text. */
class Scanner {
  at = 0;
  constructor(private readonly sql: string) {}

  char(): string | undefined {
    return this.sql[this.at];
  }

  /** Steps over whitespace and comments. */
  skipBlank(): void {
    for (;;) {
      while (this.at < this.sql.length && /\s/.test(this.sql[this.at]!)) this.at++;
      if (this.sql.startsWith('--', this.at) || this.sql.startsWith('/*', this.at)) this.skipQuotedOrComment();
      else return;
    }
  }

  /** Steps over a comment, a string or a quoted identifier starting here; false if none does. */
  skipQuotedOrComment(): boolean {
    const s = this.sql;
    if (s.startsWith('--', this.at)) {
      const end = s.indexOf('\n', this.at);
      this.at = end === -1 ? s.length : end + 1;
      return true;
    }
    if (s.startsWith('/*', this.at)) {
      const end = s.indexOf('*/', this.at + 2);
      this.at = end === -1 ? s.length : end + 2;
      return true;
    }
    const quote = s[this.at];
    if (quote === "'" || quote === '"') {
      let i = this.at + 1;
      for (;;) {
        const end = s.indexOf(quote, i);
        if (end === -1) {
          this.at = s.length;
          return true;
        }
        if (s[end + 1] === quote) i = end + 2; // '' or "" inside
        else {
          this.at = end + 1;
          return true;
        }
      }
    }
    return false;
  }

  /** Consumes `word` as a whole keyword (any case), or nothing. */
  keyword(word: string): boolean {
    const next = this.sql.slice(this.at, this.at + word.length);
    const after = this.sql[this.at + word.length];
    if (next.toLowerCase() !== word || (after !== undefined && /[\w$]/.test(after))) return false;
    this.at += word.length;
    return true;
  }

  identifier(): string | undefined {
    const m = /^(?:"([^"]+)"|([a-z_][\w$]*))/i.exec(this.sql.slice(this.at));
    if (m === null) return undefined;
    this.at += m[0].length;
    return m[1] ?? m[2];
  }

  /** The index of the `)` closing the `(` here, skipping comments, quotes and nested parentheses. */
  closing(): number | undefined {
    let depth = 0;
    while (this.at < this.sql.length) {
      if (this.skipQuotedOrComment()) continue;
      const c = this.sql[this.at]!;
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return this.at;
      this.at++;
    }
    return undefined;
  }
}
