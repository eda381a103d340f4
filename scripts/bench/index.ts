/**
 * The `bench` command: `bench runner | clv [customers…] | clv-fit [customers] | pipeline
 * [--lines N | --online-retail] [--incremental] [--timeline] [--ts-models worker|thread] | sources | publish [--builds N] |
 * citus [--lines N]`. Figures go to
 * stdout; docs/benchmarks.md records them.
 */
import { Command } from 'commander';
import type { CommandContext } from '../cli/command.ts';
import type { PipelineBenchOptions } from './pipeline.ts';
import type { PublishBenchOptions } from './publish.ts';

/**
 * The `bench` command and its sub-commands; registered in scripts/cli/commands.ts. Each
 * sub-command imports its bench when it runs: the process measured (its start, its peak memory)
 * holds only the code of the bench it runs.
 */
export function benchCommand(cli: CommandContext): Command {
  const log = (line: string): void => cli.io.out(`${line}\n`);
  const bench = new Command('bench').description('benchmarks (docs/benchmarks.md): each prints the machine it ran on and its figures');
  bench
    .command('runner')
    .description('the runner on a generated project: compile, plan, and builds of growing size')
    .action(cli.action(async () => (await (await import('./runner.ts')).benchRunner(log), 0)));
  bench
    .command('clv')
    .description("the project's CLV SQL and TypeScript step on synthetic orders, at each size")
    .argument('[customers...]', 'sizes in customers (default 10,000, 100,000 and 1,000,000)')
    .action(cli.action(async (sizes: string[]) => (await (await import('./clv.ts')).benchClv(sizes, log), 0)));
  bench
    .command('clv-fit')
    .description('the BG/NBD fit alone: on CDNOW and on customers simulated from its fitted process')
    .argument('[customers]', 'simulated customers', '1000000')
    .action(cli.action(async (customers: string) => (await (await import('../clv/bench.ts')).benchClvFit(Number(customers), log), 0)));
  bench
    .command('pipeline')
    .description('generate, load and build in a fresh database: each stage\'s time, lines per second, peak memory, and the bare RFM query as the floor')
    .option('--lines <n>', 'order lines to generate (default 1,000,000; at least 1,000)')
    .option('--online-retail', 'load the UCI Online Retail file instead of generating')
    .option('--incremental', 'hold back the last 1% of lines, build, load them, build incrementally, build the same data with --full-refresh, then load the last days of orders again as the next days (existing customers buying again) and build incrementally')
    .option('--timeline', "print every node's start and end in each build (default: the longest)")
    .option('--ts-models <where>', "where TypeScript models run: thread (default: the build's own) or worker (a worker thread)")
    .action(cli.action(async (options: PipelineBenchOptions) => (await (await import('./pipeline.ts')).benchPipeline(options, log), 0)));
  bench
    .command('sources')
    .description('every source in one database: Online Retail built, TravelTide and the airline added, then one retail day; each build, and a read of gold.data_quality_counts')
    .action(cli.action(async () => (await (await import('./sources.ts')).benchSources(log), 0)));
  bench
    .command('publish')
    .description('publish time of builds of a small project, without readers and with BI readers running and one holding a view open')
    .option('--builds <n>', 'builds in each series (default 20)')
    .action(cli.action(async (options: PublishBenchOptions) => (await (await import('./publish.ts')).benchPublish(options, log), 0)));
  bench
    .command('citus')
    .description('the same generated lines loaded and built on one plain PostgreSQL 15 server and on a local 3-node Citus cluster (docs/scale-out.md)')
    .option('--lines <n>', 'order lines to generate (default 1,000,000; at least 1,000)')
    .action(cli.action(async (options: { lines?: string }) => (await (await import('./citus.ts')).benchCitus(options, log), 0)));
  return bench;
}
