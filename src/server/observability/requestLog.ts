import type { GatewayApp } from '../http/GatewayApp.ts';
import type { AuditDraft } from '../store/types.ts';
import type { Logger } from './logger.ts';

/**
 * One JSON line per API request when it completes, with Fastify's request id, path (never the
 * query string), status and time; static files only at debug. Headers, cookies and bodies are
 * never logged.
 */
export function registerRequestLog(app: GatewayApp): void {
  app.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const line = { method: request.method, path, status: reply.statusCode, ms: Math.round(reply.elapsedTime), address: request.ip };
    if (reply.statusCode >= 500) request.log.error(line, 'request failed');
    else if (path.startsWith('/api/') || reply.statusCode >= 400) request.log.info(line, 'request');
    else request.log.debug(line, 'request');
  });
}

/** Every audit entry is also one log line (the trail is the record; the log is for operations). */
export function logAuditEntry(logger: Logger): (draft: AuditDraft) => void {
  return (draft) => {
    const code = draft.detail.code ?? draft.detail.reason;
    const line = { kind: draft.kind, actor: draft.actor, role: draft.actorRole, zone: draft.zone, address: draft.address, outcome: draft.outcome, ...(code ? { code } : {}) };
    if (draft.outcome === 'denied') logger.warn(line, draft.kind);
    else logger.info(line, draft.kind);
  };
}
