import { diffArrays } from 'diff';

/**
 * Maps each rendered line (index i ↔ line i + 1) to a line of the template, so a database error
 * at a line of the rendered SQL can name the line of the model file.
 *
 * Non-blank lines the render left unchanged align exactly (a line diff of template and output). Inside a
 * changed stretch each output line is matched against the template lines of that stretch, read
 * as patterns where `{{ … }}` stands for any text and `{% … %}` / `{# … #}` for none; a loop's
 * body matches again on each iteration. An output line no pattern explains maps to the line
 * before it in the same stretch, else the stretch's first template line, else the nearest
 * aligned line above.
 *
 * @example computeLineMap('a\n{% if x %}\nb {{ y }}\n{% endif %}\nc', 'a\n\nb 1\n\nc') // [1, 2, 3, 4, 5]
 */
export function computeLineMap(template: string, rendered: string): number[] {
  // trailing blank lines of the file have no counterpart in the (trimmed) output
  const templateLines = template.replace(/\s+$/, '').split('\n');
  const renderedLines = rendered.split('\n');
  const patterns = linePatterns(template);
  const map: number[] = [];
  let templateIndex = 0;
  let lastAligned = 0;
  let removed: number[] = [];
  let added = 0;
  const flush = () => {
    if (added > 0) map.push(...matchStretch(renderedLines.slice(map.length, map.length + added), removed, patterns, lastAligned));
    removed = [];
    added = 0;
  };
  // blank lines never anchor the alignment: matching them is a coin toss that can pin a whole
  // stretch of output to the wrong place; they are placed by the patterns instead
  const same = (a: string, b: string) => a === b && a.trim() !== '';
  for (const change of diffArrays(templateLines, renderedLines, { comparator: same })) {
    const count = change.value.length;
    if (change.removed) {
      for (let i = 0; i < count; i += 1) removed.push(templateIndex + i + 1);
      templateIndex += count;
    } else if (change.added) {
      added += count;
    } else {
      flush();
      for (let i = 0; i < count; i += 1) map.push(templateIndex + i + 1);
      templateIndex += count;
      lastAligned = templateIndex;
    }
  }
  flush();
  return map;
}

function matchStretch(lines: readonly string[], candidates: readonly number[], patterns: readonly RegExp[], before: number): number[] {
  const mapped: number[] = [];
  let cursor = 0;
  for (const line of lines) {
    const order = [...candidates.slice(cursor), ...candidates.slice(0, cursor)];
    const hit = order.find((templateLine) => patterns[templateLine - 1]?.test(line));
    if (hit !== undefined) {
      mapped.push(hit);
      cursor = candidates.indexOf(hit) + 1;
    } else {
      mapped.push(mapped[mapped.length - 1] ?? candidates[0] ?? Math.max(before, 1));
    }
  }
  return mapped;
}

/** One regular expression per template line; see computeLineMap. */
function linePatterns(template: string): RegExp[] {
  const lines: string[] = [''];
  const tag = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;
  let last = 0;
  const literal = (text: string) => {
    const parts = text.split('\n');
    parts.forEach((part, i) => {
      if (i > 0) lines.push('');
      lines[lines.length - 1] += part.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&').replace(/\s+/g, '\\s*');
    });
  };
  for (const match of template.matchAll(tag)) {
    literal(template.slice(last, match.index));
    const output = match[0].startsWith('{{');
    const newlines = match[0].split('\n').length - 1;
    if (output) lines[lines.length - 1] += '.*?';
    for (let i = 0; i < newlines; i += 1) lines.push(output ? '.*?' : '');
    last = match.index + match[0].length;
  }
  literal(template.slice(last));
  return lines.map((body) => new RegExp(`^\\s*${body}\\s*$`));
}
