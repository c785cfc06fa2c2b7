import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { GatewayApp } from './GatewayApp.ts';
import type { Logger } from '../observability/logger.ts';

/** Serves the Vite bundle. Hashed assets are immutable; pages are revalidated on every load. */
export async function registerStaticAssets(app: GatewayApp, webRoot: string, logger: Logger): Promise<boolean> {
  const root = resolve(webRoot);
  if (!existsSync(resolve(root, 'index.html'))) {
    logger.warn({ webRoot: root }, 'web bundle not built: pages answer 503 (run `npm run build`)');
    app.get('/', async (_request, reply) =>
      reply.code(503).type('text/plain').send('The Vigil web bundle is not built. Run `npm run build` (npm start does it for you).\n'));
    return false;
  }
  await app.register(fastifyStatic, {
    root,
    index: ['index.html'],
    wildcard: true,
    // Our setHeaders decides caching; send's own default would overwrite it.
    cacheControl: false,
    setHeaders: (res, path) => {
      res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return true;
}
