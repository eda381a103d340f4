import type { BuildReport } from '../report/summary.ts';

/** The `n` slowest nodes or tests, "name 1.2 s, …", longest first. */
export function slowest(items: readonly { readonly id: string; readonly durationMs: number }[], n: number): string {
  return [...items].sort((a, b) => b.durationMs - a.durationMs).slice(0, n)
    .map((x) => `${x.id.replace(/^(model|test)\./, '')} ${(x.durationMs / 1000).toFixed(1)} s`).join(', ');
}

/** A bench build in a few lines: its time, what it ran and kept, and its slowest nodes and tests. */
export function describeBuild(label: string, seconds: number, report: BuildReport): string[] {
  const tests = report.tests.reduce((sum, t) => sum + t.durationMs, 0) / 1000;
  const kept = report.nodes.filter((n) => n.keptFrom !== undefined).length;
  const notRun = report.tests.filter((t) => t.message?.startsWith('not run')).length;
  return [
    `  ${label}: ${seconds.toFixed(1)} s`,
    `    nodes: ${report.nodes.length - kept} run, ${kept} kept unchanged; tests: ${report.tests.length - notRun} run, ${notRun} not run (nothing they read changed)`,
    `    slowest nodes: ${slowest(report.nodes, 5)}`,
    `    tests: ${tests.toFixed(1)} s of query time; slowest ${slowest(report.tests, 4)}`,
  ];
}
