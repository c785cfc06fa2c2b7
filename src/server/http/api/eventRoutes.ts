import { idParamSchema, sceneEventQuerySchema, type SceneEvent } from '../../../shared/index.ts';
import type { ApiApp } from '../GatewayApp.ts';
import { sendError } from '../replyError.ts';
import { actorOf, type ApiContext } from './context.ts';
import { zonesVisibleTo } from './visibleZones.ts';

const watchers = { config: { roles: ['admin', 'operator'] as const } };

/**
 * Motion and tamper events for those who may watch their zone: a list (newest first, paged with
 * `before`) and each event's snapshot. A forbidden zone's events are never listed, its snapshots
 * refused (403, audited), and every snapshot looked at is audited (`event.snapshot`).
 */
export function registerEventRoutes(api: ApiApp, ctx: ApiContext): void {
  api.get('/events', { ...watchers, schema: { querystring: sceneEventQuerySchema } }, async (request): Promise<{ events: SceneEvent[]; nextBefore: number | null }> => {
    const { zone, before, limit } = request.query;
    const visible = await zonesVisibleTo(ctx.store, request.principal);
    const events = await ctx.sceneEvents.list(visible, { ...(zone ? { zone } : {}), ...(before ? { before } : {}), limit });
    return { events, nextBefore: events.length === limit ? events.at(-1)!.id : null };
  });

  api.get('/events/:id/snapshot', { ...watchers, schema: { params: idParamSchema } }, async (request, reply) => {
    const event = await ctx.sceneEvents.byId(request.params.id);
    const visible = await zonesVisibleTo(ctx.store, request.principal);
    if (!event) return sendError(reply, 'NOT_FOUND', 'No such event.');
    if (!visible(event.zone)) {
      await ctx.audit.record({ ...actorOf(request), kind: 'api.denied', zone: event.zone, outcome: 'denied', detail: { code: 'ZONE_FORBIDDEN', event: event.id } });
      return sendError(reply, 'ZONE_FORBIDDEN', 'This event is of a zone you may not watch.');
    }
    const jpeg = await ctx.sceneEvents.snapshot(event.id);
    if (!jpeg) return sendError(reply, 'NOT_FOUND', 'This event has no snapshot.');
    await ctx.audit.record({ ...actorOf(request), kind: 'event.snapshot', zone: event.zone, outcome: 'ok', detail: { event: event.id, type: event.kind } });
    return reply.type('image/jpeg').header('Cache-Control', 'private, no-store').send(jpeg);
  });
}
