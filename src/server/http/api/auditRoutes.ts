import { auditQuerySchema, type AuditEntryView } from '../../../shared/index.ts';
import { CSV_HEADER, csvRow } from '../../audit/AuditTrail.ts';
import type { AuditFilter, AuditRecord } from '../../store/types.ts';
import type { ApiApp } from '../GatewayApp.ts';
import { actorOf, type ApiContext } from './context.ts';

const view = ({ prevHash: _prev, ...entry }: AuditRecord): AuditEntryView => entry;

const EXPORT_MAX_ROWS = 100_000;

/** The filter as the person sent it (request.query holds the parsed one, defaults added). */
const askedFilter = (url: string): Record<string, string> => Object.fromEntries(new URLSearchParams(url.split('?')[1] ?? ''));

function filterOf(query: ReturnType<typeof auditQuerySchema.parse>): AuditFilter {
  return {
    actor: query.actor || undefined, zone: query.zone || undefined, kind: query.kind || undefined,
    from: query.from ? Date.parse(query.from) : undefined, to: query.to ? Date.parse(query.to) : undefined,
    before: query.before, after: query.after, limit: query.limit,
  };
}

/** The audit trail: admins and auditors read, filter, export and verify it; nobody edits it. */
export function registerAuditRoutes(api: ApiApp, ctx: ApiContext): void {
  const readers = { config: { roles: ['admin', 'auditor'] as const }, schema: { querystring: auditQuerySchema } };

  api.get('/audit', readers, async (request) => {
    const query = request.query;
    const entries = await ctx.audit.query(filterOf(query));
    const nextBefore = entries.length === query.limit ? entries.at(-1)!.id : null;
    return { entries: entries.map(view), nextBefore };
  });

  api.get('/audit.csv', readers, async (request, reply) => {
    const query = request.query;
    // Exporting the trail is itself worth recording.
    await ctx.audit.record({ ...actorOf(request), kind: 'audit.exported', outcome: 'ok', detail: { filter: askedFilter(request.url) } });
    const { limit: _l, ...filter } = filterOf(query);
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

  api.get('/audit/verify', readers, async () => ctx.audit.verify());
}
