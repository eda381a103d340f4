import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildReport } from './summary.ts';

/** `target/run_results.json`: the latest run, mirrored from the metadata schema. */
export async function writeRunResults(targetDir: string, command: string, report: BuildReport): Promise<void> {
  await mkdir(targetDir, { recursive: true });
  const document = {
    command,
    build_id: report.buildId,
    published: report.published,
    elapsed_seconds: Number(report.seconds.toFixed(3)),
    ...(report.blockedBy ? { blocked_by: report.blockedBy } : {}),
    results: report.nodes.map((r) => ({
      unique_id: r.id,
      status: r.status,
      rows: r.rows,
      execution_time: r.durationMs / 1000,
      message: r.error ?? (r.skippedBecause ? `skipped: ${r.skippedBecause}` : r.keptFrom !== undefined ? `kept: unchanged since build ${r.keptFrom}` : null),
      ...(r.keptFrom !== undefined ? { kept_from: r.keptFrom } : {}),
    })),
    tests: report.tests.map((t) => ({
      unique_id: t.id,
      status: t.status,
      severity: t.severity,
      failures: t.failures,
      execution_time: t.durationMs / 1000,
      file: t.location.file,
      line: t.location.line,
      message: t.message ?? null,
    })),
  };
  await writeFile(join(targetDir, 'run_results.json'), JSON.stringify(document, null, 2) + '\n');
}
