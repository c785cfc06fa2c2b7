import type { GatewayApp } from './GatewayApp.ts';

export function registerHealth(app: GatewayApp, isDraining: () => boolean): void {
  app.get('/healthz', async (_request, reply) => reply.header('Cache-Control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = !isDraining();
    return reply.code(ready ? 200 : 503).header('Cache-Control', 'no-store').send({ status: ready ? 'ready' : 'draining' });
  });
}
