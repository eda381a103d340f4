/**
 * Ctrl-C during a build. The first one cancels: no new node starts, the running statements are
 * cancelled, nothing is published, and the build still records itself `cancelled` and prints its
 * summary (exit 130). One Ctrl-C often arrives more than once: the terminal signals the whole
 * process group, and the wrappers in it (npm, tsx) relay the signal to the child as well. So
 * repeats within a short window count as the same Ctrl-C; a later one means "stop at once".
 */

/** Repeats of SIGINT closer than this to the first are the same Ctrl-C, relayed. */
export const SAME_CTRL_C_MS = 1000;

export type InterruptKind = 'cancel' | 'repeat' | 'force';

/**
 * Classifies each SIGINT by its time: the first cancels, repeats within `windowMs` of it are
 * ignored, the next one after that forces.
 *
 * @example
 * const counter = new InterruptCounter();
 * counter.signal(0); // 'cancel'
 * counter.signal(150); // 'repeat' (tsx relayed it)
 * counter.signal(2400); // 'force'
 */
export class InterruptCounter {
  private first: number | undefined;

  constructor(private readonly windowMs = SAME_CTRL_C_MS) {}

  signal(nowMs: number): InterruptKind {
    if (this.first === undefined) {
      this.first = nowMs;
      return 'cancel';
    }
    return nowMs - this.first < this.windowMs ? 'repeat' : 'force';
  }

  get requested(): boolean {
    return this.first !== undefined;
  }
}

export interface InterruptWatch {
  /** true once Ctrl-C was pressed */
  readonly requested: () => boolean;
  /** stops listening (the process's default Ctrl-C behaviour returns) */
  dispose(): void;
}

export interface InterruptHandlers {
  readonly log: (line: string) => void;
  /** the first Ctrl-C: stop running statements (called once) */
  readonly onCancel?: () => void;
  /** a second, deliberate Ctrl-C: the caller exits at once */
  readonly onForce: () => void;
}

/** Listens for SIGINT and SIGTERM for the duration of a build. */
export function watchInterrupt(handlers: InterruptHandlers, counter = new InterruptCounter()): InterruptWatch {
  const listener = (signal: NodeJS.Signals): void => {
    const kind = counter.signal(performance.now());
    if (kind === 'cancel') {
      handlers.log(`${signal === 'SIGTERM' ? 'SIGTERM' : 'Ctrl-C'}: cancelling; no new models start and nothing will be published (Ctrl-C again to stop at once)`);
      handlers.onCancel?.();
    } else if (kind === 'force') {
      handlers.log('stopping at once; the next build records this one as cancelled');
      handlers.onForce();
    }
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return {
    requested: () => counter.requested,
    dispose: () => {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    },
  };
}
