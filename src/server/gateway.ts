import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { GatewayConfig } from './config/configSchema.ts';
import { registerHealth } from './http/health.ts';
import { registerSecurityHeaders } from './http/securityHeaders.ts';
import { registerStaticAssets } from './http/staticAssets.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createSignalling, type Signalling } from './signalling/createSignalling.ts';
import { ensureCertificate, type TlsMaterial } from './tls/ensureCertificate.ts';
import { ZoneRegistry } from './zones/ZoneRegistry.ts';

export interface Gateway {
  readonly config: GatewayConfig;
  readonly tls: TlsMaterial;
  readonly registry: ZoneRegistry;
  readonly signalling: Signalling;
  readonly logger: Logger;
  readonly webBundle: boolean;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(): Promise<AddressInfo>;
  /** Stops accepting, drops clients so they reconnect elsewhere, closes the server. Idempotent. */
  close(): Promise<void>;
}

export interface GatewayDependencies {
  logger?: Logger;
}

/** The composition root: builds and wires every part. Tests call this; main.ts only adds the process around it. */
export async function createGateway(config: GatewayConfig, dependencies: GatewayDependencies = {}): Promise<Gateway> {
  const logger = dependencies.logger ?? createLogger(config.logLevel);
  const tls = await ensureCertificate(config);
  const app = Fastify({
    https: { cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' },
    // Requests are not logged one by one; signalling has its own lifecycle logs.
    loggerInstance: logger.child({ subsystem: 'http' }, { level: 'warn' }),
    bodyLimit: 16 * 1024,
    // Keep-alive connections must not hold a shutdown open.
    forceCloseConnections: true,
  });
  await registerSecurityHeaders(app);
  let draining = false;
  registerHealth(app, () => draining);
  const webBundle = await registerStaticAssets(app, config.webRoot, logger);
  await app.ready();

  const registry = new ZoneRegistry((error, event) => logger.error({ err: error, event }, 'zone registry listener failed'));
  const signalling = createSignalling({
    httpServer: app.server,
    registry,
    logger: logger.child({ subsystem: 'signalling' }),
    allowedOrigins: config.allowedOrigins,
    iceServers: config.iceServers,
  });

  let closing: Promise<void> | null = null;
  return {
    config,
    tls,
    registry,
    signalling,
    logger,
    webBundle,
    async listen() {
      await app.listen({ host: config.host, port: config.port });
      return app.server.address() as AddressInfo;
    },
    close() {
      closing ??= (async () => {
        draining = true;
        await signalling.close();
        await app.close();
      })();
      return closing;
    },
  };
}
