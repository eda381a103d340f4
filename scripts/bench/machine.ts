import { cpus, totalmem } from 'node:os';

/** One line naming the machine, printed with every benchmark so figures are never orphaned. */
export function machineLine(postgresVersion: string): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${postgresVersion}`;
}

/** The Node process's memory when its resident size peaked (process.memoryUsage()). */
export type MemorySample = NodeJS.MemoryUsage;

/**
 * Samples the Node process's resident memory (worker threads included: they share the process);
 * `peak()` is the largest seen, `at()` the whole sample taken then. `phase(name)` starts a new
 * window, so a bench can say which stage held the most (`phases()`, each with its own peak).
 */
export function trackPeakMemory(intervalMs = 50): {
  peak(): number;
  at(): MemorySample;
  phase(name: string): void;
  phases(): ReadonlyMap<string, number>;
  stop(): void;
} {
  let top = process.memoryUsage();
  const phases = new Map<string, number>();
  let current = 'start';
  const sample = (): void => {
    const now = process.memoryUsage();
    if (now.rss > top.rss) top = now;
    phases.set(current, Math.max(phases.get(current) ?? 0, now.rss));
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    peak: () => (sample(), top.rss),
    at: () => top,
    phase: (name) => {
      sample();
      current = name;
      sample();
    },
    phases: () => phases,
    stop: () => clearInterval(timer),
  };
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}
