import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { AuditTrail } from '../audit/AuditTrail.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { sendError } from './replyError.ts';
import type { GatewayApp } from './GatewayApp.ts';

export interface MetricsAccess {
  token?: string | undefined;
  allowFrom: readonly string[];
}

function blockListOf(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * `GET /metrics` in Prometheus text format, for a scraper on an allowed address or one that
 * presents the bearer token. Anyone else gets AUTH_REQUIRED, and the refusal is audited.
 */
export function registerMetricsRoute(app: GatewayApp, metrics: GatewayMetrics, access: MetricsAccess, audit: AuditTrail): void {
  const allowed = blockListOf(access.allowFrom);
  const tokenDigest = access.token ? digest(access.token) : null;
  const mayRead = (address: string, authorization: string | undefined): boolean => {
    const bearer = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (bearer && tokenDigest && timingSafeEqual(digest(bearer), tokenDigest)) return true;
    const plain = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
    return allowed.check(plain, isIPv6(plain) ? 'ipv6' : 'ipv4');
  };
  app.get('/metrics', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    if (!mayRead(request.ip, request.headers.authorization)) {
      await audit.recordAnonymous({
        kind: 'api.denied', actor: null, actorRole: null, zone: null, address: request.ip,
        userAgent: String(request.headers['user-agent'] ?? ''), outcome: 'denied', detail: { code: 'AUTH_REQUIRED', path: '/metrics' },
      });
      reply.header('WWW-Authenticate', 'Bearer realm="vigil-metrics"');
      return sendError(reply, 'AUTH_REQUIRED', 'Metrics are open to the configured addresses or the metrics token.');
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
