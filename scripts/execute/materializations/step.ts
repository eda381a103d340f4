import type { Relation } from '../../core/types.ts';

/**
 * One thing the executor does for a node. A node's steps run in order, in one transaction
 * (so `now()` is one instant for all of them: snapshots rely on it).
 */
export type Step =
  | {
      readonly kind: 'sql';
      /** short description for logs and errors, e.g. `create table` */
      readonly label: string;
      readonly sql: string;
      /** char offset in `sql` where the model's own compiled SQL begins (to map PostgreSQL's
       * error position to a model line); absent when the statement does not contain it */
      readonly bodyOffset?: number;
      /** true when this statement's row count is the node's rows */
      readonly countsRows?: boolean;
    }
  | {
      /** on a Citus server, hash-distribute `of` by `column` (execute/distribute.ts); nothing elsewhere */
      readonly kind: 'distribute';
      readonly label: string;
      readonly of: Relation;
      readonly column: string;
      /** a distributed table to co-locate with (the published rows the new ones are joined to) */
      readonly colocateWith?: Relation;
    }
  | {
      /** `citus` on a Citus server, `plain` elsewhere (the executor asks the server once per step) */
      readonly kind: 'by-engine';
      readonly label: string;
      readonly citus: readonly Step[];
      readonly plain: readonly Step[];
    }
  | {
      readonly kind: 'with-columns';
      readonly label: string;
      readonly of: Relation;
      /** columns of `of` (ordinal order) as read from the catalog by the executor */
      readonly next: (columns: readonly string[]) => readonly Step[];
    };

export type SqlStep = Extract<Step, { kind: 'sql' }>;
