/**
 * Every `strata` command, in the order `strata --help` lists them. Each is defined in a module
 * next to its code; to add one, write a `CommandFactory` there (see scripts/cli/command.ts and
 * docs/commands.md) and add it to this list, plus an npm script alias in package.json.
 */
import { benchCommand } from '../bench/index.ts';
import { validateChurnCommand } from '../churn/validate-cli.ts';
import { clvCommand } from '../clv/cli.ts';
import { validateClvCommand } from '../clv/validate-cli.ts';
import { dashboardCommand } from '../dashboard/cli.ts';
import { generateCommand } from '../ingest/generate-cli.ts';
import { loadCommand } from '../ingest/load-cli.ts';
import { docsCommand } from '../report/docs-cli.ts';
import { goldDocsCommand } from '../report/gold-docs.ts';
import { reportCommand } from '../report/report-cli.ts';
import type { CommandFactory } from './command.ts';
import {
  buildCommand,
  cleanCommand,
  compileCommand,
  dbCommand,
  lsCommand,
  rollbackCommand,
  seedCommand,
  testCommand,
} from './runner-commands.ts';

export const COMMANDS: readonly CommandFactory[] = [
  loadCommand,
  generateCommand,
  buildCommand,
  seedCommand,
  testCommand,
  compileCommand,
  lsCommand,
  rollbackCommand,
  cleanCommand,
  dbCommand,
  clvCommand,
  validateClvCommand,
  validateChurnCommand,
  benchCommand,
  goldDocsCommand,
  reportCommand,
  dashboardCommand,
  docsCommand,
];
