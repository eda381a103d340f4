import type { Step } from '../../../scripts/execute/materializations/index.ts';

/**
 * A node's steps as one readable SQL file: each statement under a `-- label` line, with
 * `with-columns` steps expanded for the given catalog columns.
 */
export function renderSteps(steps: readonly Step[], columns: readonly string[]): string {
  return steps.map((s) => renderStep(s, columns)).join('\n\n') + '\n';
}

function renderStep(step: Step, columns: readonly string[]): string {
  if (step.kind === 'with-columns') {
    const header = `-- ${step.label}: with the columns of ${step.of.schema}.${step.of.name} = ${columns.join(', ')}`;
    return [header, ...step.next(columns).map((s) => renderStep(s, columns))].join('\n\n');
  }
  // the golden files are plain PostgreSQL's statements; Citus's are tested on a cluster (tests/citus)
  if (step.kind === 'by-engine') return step.plain.map((s) => renderStep(s, columns)).join('\n\n');
  if (step.kind === 'distribute') return `-- ${step.label} (on Citus only)\nselect create_distributed_table('${step.of.schema}.${step.of.name}', '${step.column}');`;
  const notes = [step.countsRows ? 'counts rows' : '', step.bodyOffset !== undefined ? 'contains the model' : '']
    .filter(Boolean)
    .join(', ');
  return `-- ${step.label}${notes ? ` (${notes})` : ''}\n${step.sql};`;
}

/** Every sql step in execution order, with-columns expanded. */
export function flattenSteps(steps: readonly Step[], columns: readonly string[]): Extract<Step, { kind: 'sql' }>[] {
  return steps.flatMap((s) =>
    s.kind === 'sql' ? [s] : s.kind === 'distribute' ? [] : s.kind === 'by-engine' ? flattenSteps(s.plain, columns) : flattenSteps(s.next(columns), columns),
  );
}
