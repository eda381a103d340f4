#!/usr/bin/env tsx
import { StrataError } from '../core/errors.ts';
import { benchClv } from './clv.ts';
import { benchPipeline } from './pipeline.ts';
import { benchRunner } from './runner.ts';

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const benches: Record<string, (args: readonly string[]) => Promise<void>> = {
  runner: () => benchRunner(log),
  clv: (args) => benchClv(args, log),
  pipeline: (args) => benchPipeline(args, log),
};

const [name, ...args] = process.argv.slice(2);
const bench = name ? benches[name] : undefined;
if (!bench) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]\n`);
  process.exitCode = 2;
} else {
  try {
    await bench(args);
  } catch (error) {
    process.stderr.write(`${error instanceof StrataError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  }
}
