import type { GatewayApp } from './GatewayApp.ts';

/** `/healthz`: the process answers. `/readyz`: it can serve (store reachable, not draining). */
export function registerHealth(app: GatewayApp, isDraining: () => boolean, storeReachable: () => Promise<boolean>): void {
  app.get('/healthz', async (_request, reply) => reply.header('Cache-Control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
    if (isDraining()) return reply.code(503).send({ status: 'draining' });
    const store = await storeReachable().catch(() => false);
    return reply.code(store ? 200 : 503).send({ status: store ? 'ready' : 'store unreachable' });
  });
}
