/** Something that runs a query when it is its turn: p-limit's limit, or TestSlots.run. */
export type Slots = <T>(run: () => Promise<T>) => Promise<T>;

/**
 * The places a build's data-test queries take, giving way to the nodes building: at most
 * `threads` minus the nodes building now start, and always at least one, so tests never wait
 * for the build to end. Tests read what is built, and on two cores they shared the CPU with the
 * nodes on the critical path: on Online Retail 8 test queries ran beside `orders` and
 * `customers` (0.33 and 0.68 s alone, 2.0 and 2.1 s in the build), while PostgreSQL sat idle
 * during the k-means and CLV fits that follow; the tests now fill those gaps (docs/benchmarks.md,
 * session 13). A query that started is never stopped: only starts wait.
 */
export class TestSlots {
  private building = 0;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly threads: number) {}

  /** A node started building: one place fewer for tests, from the next start on. */
  nodeStarted(): void {
    this.building++;
  }

  /** A node finished (or failed): its place goes back to the tests. */
  nodeEnded(): void {
    this.building--;
    this.startWaiting();
  }

  /** Runs `query` when a place is free. */
  readonly run: Slots = (query) =>
    new Promise((resolve, reject) => {
      this.waiting.push(() => {
        this.active++;
        query()
          .then(resolve, reject)
          .finally(() => {
            this.active--;
            this.startWaiting();
          });
      });
      this.startWaiting();
    });

  private startWaiting(): void {
    while (this.waiting.length > 0 && this.active < Math.max(1, this.threads - this.building)) this.waiting.shift()!();
  }
}
