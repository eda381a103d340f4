import cliProgress from 'cli-progress';

/** Shows how far a long job has got, on stderr. */
export interface Progress {
  /** `done` and `total` in the job's own unit (bytes of a file, customers generated) */
  update(done: number, lines: number): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly total: number;
  /** what is being done, e.g. `loading orders.csv.gz` */
  readonly label: string;
  readonly stream?: NodeJS.WriteStream;
  /** seconds between lines when the stream is not a terminal */
  readonly everySeconds?: number;
}

/**
 * A bar (cli-progress) when stderr is a terminal; otherwise, so logs and CI output stay readable,
 * one plain line every `everySeconds` (default 10).
 */
export function progressOn(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const started = performance.now();
  const rate = (lines: number): string => {
    const seconds = (performance.now() - started) / 1000;
    return seconds > 0 ? Math.round(lines / seconds).toLocaleString('en-US') : '0';
  };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${options.label} [{bar}] {percentage}% | {lines} lines | {rate} lines/s | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(options.total, 0, { lines: '0', rate: '0' });
    let running = true;
    return {
      update: (done, lines) => running && bar.update(done, { lines: lines.toLocaleString('en-US'), rate: rate(lines) }),
      stop() {
        if (running) bar.stop();
        running = false;
      },
    };
  }
  const every = (options.everySeconds ?? 10) * 1000;
  let last = started;
  return {
    update(done, lines) {
      const now = performance.now();
      if (now - last < every) return;
      last = now;
      const percent = options.total > 0 ? Math.floor((done / options.total) * 100) : 0;
      stream.write(`${options.label}: ${percent}% (${lines.toLocaleString('en-US')} lines, ${rate(lines)} lines/s)\n`);
    },
    stop() {},
  };
}
