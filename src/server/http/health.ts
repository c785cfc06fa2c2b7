import { settleWithin } from '../util/settleWithin.ts';
import type { GatewayApp } from './GatewayApp.ts';

/** A dependency readiness depends on, by the name /readyz reports it under. */
export type ReadinessChecks = Record<string, () => Promise<boolean>>;

const CHECK_TIMEOUT_MS = 2_000;

/**
 * `/healthz`: the process answers. `/readyz`: it can serve — every dependency answers within 2 s
 * (the store, and Redis in a cluster) and it is not draining; otherwise 503 naming what fails.
 */
export function registerHealth(app: GatewayApp, isDraining: () => boolean, checks: ReadinessChecks): void {
  app.get('/healthz', async (_request, reply) => reply.header('Cache-Control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
    if (isDraining()) return reply.code(503).send({ status: 'draining' });
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => settleWithin(checks[name]!(), CHECK_TIMEOUT_MS, false)));
    const failing = names.filter((_, i) => !results[i]);
    return failing.length === 0 ? reply.send({ status: 'ready' }) : reply.code(503).send({ status: 'unready', failing });
  });
}
