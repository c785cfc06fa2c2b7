import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres } from '../../test/support/postgres.ts';
import { startRedis } from '../../test/support/redis.ts';
import { round } from '../stats.ts';
import type { BenchPart } from '../types.ts';
import { runStep, stepsFrom, tableRow, type StepResult } from './part.ts';

const DEFAULT_STEPS = [100, 1_000];

/** The single-node figures of the last `signalling` run, to set the cluster's beside them. */
function singleNode(): StepResult[] {
  const path = join(import.meta.dirname, '..', 'results', 'signalling.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { figures: StepResult[] }).figures : [];
}

export const clusterPart: BenchPart = {
  name: 'cluster',
  description: 'the signalling load on two gateway nodes sharing Redis and PostgreSQL: every camera on node 1, its viewer on node 2',
  async run({ args }) {
    const steps = stepsFrom(args, DEFAULT_STEPS);
    const [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
    const results: StepResult[] = [];
    try {
      for (const pairs of steps) {
        results.push(await runStep(pairs, { env: async () => ({ BENCH_DATABASE_URL: await postgres.createDatabase(), BENCH_REDIS_URL: redis.url }) }));
      }
    } finally {
      await Promise.all([redis.stop(), postgres.stop()]);
    }
    const single = singleNode();
    const notes = results.flatMap((r) => {
      const one = single.find((s) => s.pairs === r.pairs);
      if (!one) return [];
      return [`${r.pairs} pairs, cluster vs one node: p99 ${r.p99} vs ${one.p99} ms (×${round(r.p99 / one.p99, 2)}), CPU ${r.cpuMicrosPerMessage} vs ${one.cpuMicrosPerMessage} µs/msg (×${round(r.cpuMicrosPerMessage / one.cpuMicrosPerMessage, 2)}), failures ${r.failures} vs ${one.failures}`];
    });
    return { table: results.map(tableRow), figures: results, notes, budgets: [] };
  },
};
