import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommandLine, type CommandContext } from '../../../scripts/cli/command.ts';
import { COMMAND_ENTRIES, commandsFor } from '../../../scripts/cli/commands.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** `strata …` in-process, as scripts/cli/index.ts runs it. */
async function strata(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const commands = await commandsFor(argv);
  const code = await runCommandLine((cli) => commands.map((c) => c(cli)), argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** The option flags a command's help lists. */
function flags(help: string): string[] {
  return [...help.matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!).filter((f) => f !== '--help');
}

describe('the strata command line', () => {
  it('loads, for each command name, the module whose command has that name', async () => {
    const context: CommandContext = { io: { out: () => {}, err: () => {} }, log: () => {}, action: () => async () => {} };
    for (const entry of COMMAND_ENTRIES) expect((await entry.load())(context).name(), entry.name).toBe(entry.name);
    expect(new Set(COMMAND_ENTRIES.map((e) => e.name)).size).toBe(COMMAND_ENTRIES.length);
  });

  it('every command and sub-command answers --help with exit 0', async () => {
    const top = await strata('--help');
    expect(top.code).toBe(0);
    for (const name of ['load', 'generate', 'build', 'seed', 'test', 'compile', 'ls', 'rollback', 'clean', 'db', 'clv', 'validate-clv', 'bench', 'gold-docs', 'report', 'dashboard', 'docs']) {
      expect(top.out).toContain(`  ${name} `);
      const help = await strata(name, '--help');
      expect(help.code, name).toBe(0);
      expect(help.out, name).toContain(`Usage: strata ${name}`);
    }
    for (const [parent, sub] of [['clv', 'fit'], ['bench', 'runner'], ['bench', 'clv'], ['bench', 'clv-fit'], ['bench', 'pipeline'], ['bench', 'sources']] as const) {
      expect((await strata(parent, sub, '--help')).code, `${parent} ${sub}`).toBe(0);
    }
  });

  it('lists only the options that apply to each command', async () => {
    expect(flags((await strata('build', '--help')).out)).toEqual(['--select', '--exclude', '--vars', '--threads', '--full-refresh', '--ts-models', '--project-dir']);
    expect(flags((await strata('test', '--help')).out)).toEqual(['--select', '--exclude', '--vars', '--project-dir']);
    expect(flags((await strata('rollback', '--help')).out)).toEqual(['--vars', '--project-dir']);
    expect(flags((await strata('clean', '--help')).out)).toEqual(['--project-dir']);
    expect(flags((await strata('compile', '--help')).out)).toEqual(['--vars', '--project-dir']);
    expect(flags((await strata('report', '--help')).out)).toEqual(['--out', '--project-dir']);
    expect(flags((await strata('dashboard', '--help')).out)).toEqual(['--port', '--host', '--token', '--statement-timeout', '--project-dir']);
    expect(flags((await strata('docs', '--help')).out)).toEqual(['--out', '--offline', '--project-dir']);
  });

  it('gold-docs --help does not rewrite README.md', async () => {
    const before = await readFile(join(ROOT, 'README.md'), 'utf8');
    expect((await strata('gold-docs', '--help')).code).toBe(0);
    expect(await readFile(join(ROOT, 'README.md'), 'utf8')).toBe(before);
  });

  it('every usage error exits 2 and says what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [[], /Usage: strata/],
      [['bogus-command'], /unknown command 'bogus-command'/],
      [['build', '--bogus'], /unknown option '--bogus'/],
      [['clean', '--select', 'x'], /unknown option '--select'/],
      [['load', '--bogus', 'file.csv'], /unknown option '--bogus'/],
      [['load'], /give a file to load, --list, or --retract/],
      [['generate'], /required option '--seed <n>' not specified/],
      [['generate', '--seed', '1'], /--customers <n> is required for --domain retail/],
      [['generate', '--customers', 'ten', '--seed', '1'], /expected a whole number/],
      [['clv'], /Usage: strata clv/],
      [['clv', 'fit', '--summary', 'x.csv'], /required option '--model <name>' not specified/],
      [['validate-clv', '--bogus'], /unknown option '--bogus'/],
      [['validate-clv', '--cdnow', 'x'], /--holdout is required/],
      [['bench', 'nothing'], /unknown command 'nothing'/],
      [['bench', 'clv', '5'], /sizes must be whole numbers >= 100/],
      [['ls', '--threads', '2'], /unknown option '--threads'/],
      [['build', '--ts-models', 'gpu'], /--ts-models is thread or worker, not 'gpu'/],
      [['report', '--select', 'x'], /unknown option '--select'/],
      [['docs', '--bogus'], /unknown option '--bogus'/],
      [['dashboard', '--port', 'eighty'], /expected a port number/],
      [['dashboard', '--port', '70000'], /expected a port number/],
      [['dashboard', '--statement-timeout', '0'], /expected a whole number of milliseconds/],
      [['dashboard', '--host', '0.0.0.0'], /give --token <secret>/],
    ];
    for (const [argv, message] of cases) {
      const run = await strata(...argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.err + run.out, argv.join(' ')).toMatch(message);
    }
  });
});
