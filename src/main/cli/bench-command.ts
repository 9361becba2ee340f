import type { Command } from 'commander';
import { invalid } from '../../shared/api/errors';
import type { GlobalOptions } from './output';

/** `plateau bench`: runs the benchmark cases and prints their figures (one JSON line each under --json). */
export function benchCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('bench')
    .description('run the performance benchmarks and print their figures')
    .option('--only <names>', 'comma-separated case names')
    .option('--list', 'list the cases and their targets')
    .action(async (o: { only?: string; list?: boolean }) => {
      const { json } = globals();
      const { BENCH_CASES } = await import('../bench'); // loads tfjs: only when benchmarking
      if (o.list) {
        for (const c of BENCH_CASES)
          process.stdout.write(
            json
              ? `${JSON.stringify({ name: c.name, unit: c.unit, target: c.target })}\n`
              : `${c.name}  (${c.unit})  target: ${c.target}\n`,
          );
        return;
      }
      const wanted = o.only
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = wanted?.filter((n) => !BENCH_CASES.some((c) => c.name === n)) ?? [];
      if (unknown.length)
        throw invalid(
          `Unknown bench case ${unknown.map((n) => `'${n}'`).join(', ')}. Cases: ${BENCH_CASES.map((c) => c.name).join(', ')}.`,
        );
      // the case's own lines go to stderr either way: stdout stays one JSON line per case under --json
      const log = (line: string) => void process.stderr.write(`  ${line}\n`);
      for (const c of BENCH_CASES.filter((c) => !wanted || wanted.includes(c.name))) {
        if (!json) process.stdout.write(`${c.name} (target: ${c.target})\n`);
        const { value, extra } = await c.run(log);
        if (json) process.stdout.write(`${JSON.stringify({ name: c.name, value, unit: c.unit, ...extra })}\n`);
        else {
          const more = Object.entries(extra ?? {})
            .map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(4) : v}`)
            .join('  ');
          process.stdout.write(`  => ${+value.toPrecision(4)} ${c.unit}${more ? `   ${more}` : ''}\n`);
        }
      }
    });
}
