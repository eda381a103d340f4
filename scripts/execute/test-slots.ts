import pLimit, { type LimitFunction } from 'p-limit';

/** Something that runs a query when it is its turn: p-limit's limit function. */
export type Slots = <T>(run: () => Promise<T>) => Promise<T>;

/**
 * The places a build's data-test queries take, giving way to the nodes building: at most
 * `threads` minus the nodes building now start, and always at least one, so tests never wait
 * for the build to end. Tests read what is built, and on two cores they shared the CPU with the
 * nodes on the critical path: on Online Retail 8 test queries ran beside `orders` and
 * `customers` (0.33 and 0.68 s alone, 2.0 and 2.1 s in the build), while PostgreSQL sat idle
 * during the k-means and CLV fits that follow (docs/benchmarks.md, session 13). A query that
 * started is never stopped: only starts wait (p-limit's concurrency, set as nodes start and end).
 */
export class TestSlots {
  private building = 0;
  private readonly limit: LimitFunction;

  constructor(private readonly threads: number) {
    this.limit = pLimit(Math.max(1, threads));
  }

  /** Runs `query` when a place is free. */
  readonly run: Slots = (query) => this.limit(query);

  /** A node started building: one place fewer for tests, from the next start on. */
  nodeStarted(): void {
    this.building++;
    this.resize();
  }

  /** A node finished (or failed): its place goes back to the tests. */
  nodeEnded(): void {
    this.building--;
    this.resize();
  }

  private resize(): void {
    this.limit.concurrency = Math.max(1, this.threads - this.building);
  }
}
