import { startPostgres } from '../../test/support/postgres.ts';
import { startRedis } from '../../test/support/redis.ts';
import type { BenchPart } from '../types.ts';
import { besideSingleNode, runStep, stepsFrom, tableRow, type StepResult } from './part.ts';

const DEFAULT_STEPS = [100, 1_000];

export const clusterPart: BenchPart = {
  name: 'cluster',
  description: 'the signalling load on two gateway nodes sharing Redis and PostgreSQL: every camera on node 1, its viewer on node 2',
  async run({ args }) {
    const steps = stepsFrom(args, DEFAULT_STEPS);
    const [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
    const results: StepResult[] = [];
    try {
      for (const pairs of steps) {
        results.push(await runStep(pairs, { cluster: { env: async () => ({ BENCH_DATABASE_URL: await postgres.createDatabase(), BENCH_REDIS_URL: redis.url }) } }));
      }
    } finally {
      await Promise.all([redis.stop(), postgres.stop()]);
    }
    return { table: results.map(tableRow), figures: results, notes: besideSingleNode(results, 'cluster'), budgets: [] };
  },
};
