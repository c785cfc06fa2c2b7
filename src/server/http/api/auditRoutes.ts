import type { FastifyReply } from 'fastify';
import { auditQuerySchema, type AuditEntryView } from '../../../shared/index.ts';
import { CSV_HEADER, csvRow } from '../../audit/AuditTrail.ts';
import type { AuditFilter, AuditRecord } from '../../store/types.ts';
import type { GatewayApp } from '../GatewayApp.ts';
import { actorOf, parseOr, requireRole, type ApiContext } from './context.ts';

const view = ({ prevHash: _prev, ...entry }: AuditRecord): AuditEntryView => entry;

const EXPORT_MAX_ROWS = 100_000;

function filterOf(query: ReturnType<typeof auditQuerySchema.parse>): AuditFilter {
  return {
    actor: query.actor || undefined, zone: query.zone || undefined, kind: query.kind || undefined,
    from: query.from ? Date.parse(query.from) : undefined, to: query.to ? Date.parse(query.to) : undefined,
    before: query.before, limit: query.limit,
  };
}

/** The audit trail: admins and auditors read, filter, export and verify it; nobody edits it. */
export function registerAuditRoutes(app: GatewayApp, ctx: ApiContext): void {
  const readers = { preHandler: requireRole(ctx, ['admin', 'auditor']) };

  app.get('/api/audit', readers, async (request, reply: FastifyReply) => {
    const query = parseOr(auditQuerySchema, request.query, reply);
    if (!query) return reply;
    const entries = await ctx.audit.query(filterOf(query));
    const nextBefore = entries.length === query.limit ? entries.at(-1)!.id : null;
    return { entries: entries.map(view), nextBefore };
  });

  app.get('/api/audit.csv', readers, async (request, reply: FastifyReply) => {
    const query = parseOr(auditQuerySchema, request.query, reply);
    if (!query) return reply;
    // Exporting the trail is itself worth recording.
    await ctx.audit.record({ ...actorOf(request), kind: 'audit.exported', outcome: 'ok', detail: { filter: request.query as Record<string, unknown> } });
    const { before: _b, limit: _l, ...filter } = filterOf(query);
    const lines = [CSV_HEADER.join(',')];
    for await (const entry of ctx.audit.entries(filter)) {
      if (lines.length > EXPORT_MAX_ROWS) break;
      lines.push(csvRow(entry));
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="vigil-audit-${new Date().toISOString().slice(0, 10)}.csv"`)
      .send(`${lines.join('\r\n')}\r\n`);
  });

  app.get('/api/audit/verify', readers, async () => ctx.audit.verify());
}
