import { blocksPublish } from '../audit/run-test.ts';
import type { NodeResult, TestResult } from '../core/types.ts';
import type { BuildStatus } from '../execute/build-record.ts';

/** What a build's results say before publishing: why it must not publish, if it must not. */
export interface BuildResults {
  readonly nodes: readonly NodeResult[];
  readonly tests: readonly TestResult[];
  readonly cancelled: boolean;
  /** set when the server went away under a node (db/server-lost.ts): the reason, naming the node */
  readonly lost?: string;
  /** set when an index built after its node (execute/deferred-indexes.ts) failed: why, naming the node */
  readonly unindexed?: string;
}

/**
 * Why this build must not publish, or undefined when it may: a cancel, then the first node that
 * failed or was skipped, then the first error-severity test that failed (warn tests never block),
 * then an index the next build needs that could not be built.
 *
 * @example blockedBy({ nodes: [{ id: 'model.a', status: 'error', … }], tests: [], cancelled: false }) // 'model.a failed'
 */
export function blockedBy(results: BuildResults): string | undefined {
  if (results.cancelled) return 'the build was cancelled';
  if (results.lost) return results.lost;
  const failedNode = results.nodes.find((n) => n.status !== 'success');
  if (failedNode) return `${failedNode.id} ${failedNode.status === 'error' ? 'failed' : 'was skipped'}`;
  const failedTest = results.tests.find(blocksPublish);
  if (failedTest) return `test ${failedTest.id} failed`;
  return results.unindexed;
}

/** How a build ended: the status recorded, the reason it did not publish, the exit code. */
export interface BuildEnding {
  readonly status: BuildStatus;
  readonly published: boolean;
  /** why nothing was published, when it was not */
  readonly blockedBy?: string;
  /** 0 published, 1 not published, 130 cancelled (as after SIGINT) */
  readonly exitCode: number;
}

/**
 * The end of a build from what blocked it and whether publishing itself failed.
 * @param blocked what `blockedBy` said (publishing was not tried)
 * @param publishError why publishing failed, when it was tried and failed
 */
export function buildEnding(cancelled: boolean, blocked: string | undefined, publishError?: string): BuildEnding {
  const reason = blocked ?? publishError;
  if (cancelled) return { status: 'cancelled', published: false, blockedBy: reason ?? 'the build was cancelled', exitCode: 130 };
  if (reason === undefined) return { status: 'success', published: true, exitCode: 0 };
  return { status: 'error', published: false, blockedBy: reason, exitCode: 1 };
}
