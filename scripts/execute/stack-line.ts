import { pathToFileURL } from 'node:url';

/**
 * The line of `file` an exception came from, read from its stack: the first frame in that file.
 * tsx maps frames to TypeScript source lines, so this is the line a user sees in their editor.
 * Frames name a file by path (`/p/models/x.ts:12:7`) or by URL (`file:///p/models/x.ts:12:7`).
 *
 * @example stackLineIn('Error: no\n    at run (/p/models/gold/x.ts:12:7)', '/p/models/gold/x.ts') // 12
 */
export function stackLineIn(stack: string | undefined, file: string): number | undefined {
  if (!stack) return undefined;
  const names = [pathToFileURL(file).href, file];
  for (const frame of stack.split('\n').slice(1)) {
    for (const name of names) {
      const at = frame.indexOf(name);
      if (at < 0) continue;
      const match = /^:(\d+)(?::\d+)?\)?\s*$/.exec(frame.slice(at + name.length));
      if (match) return Number(match[1]);
    }
  }
  return undefined;
}
