import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pageOf } from './lineage.ts';
import { indexPage, nodePage, sourcePage, type DocsInput } from './pages.ts';

/** Writes the whole site into `dir` (replaced as a whole, so no page of a removed model lingers). */
export async function writeDocsSite(dir: string, input: DocsInput): Promise<number> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const pages: [string, string][] = [['index.html', indexPage(input)]];
  for (const node of input.manifest.nodes) pages.push([pageOf(node.id), nodePage(node, input)]);
  for (const source of input.manifest.sources) pages.push([pageOf(`source.${source.source}.${source.name}`), sourcePage(source, input)]);
  for (const [file, html] of pages) await writeFile(join(dir, file), html);
  return pages.length;
}
