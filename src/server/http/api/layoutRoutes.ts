import { layoutParamSchema, layoutQuerySchema, saveLayoutSchema, wallSchema, type LayoutView, type Wall, type WallGrid } from '../../../shared/index.ts';
import type { WallLayoutRecord } from '../../store/types.ts';
import type { ApiApp } from '../GatewayApp.ts';
import { sendError } from '../replyError.ts';
import { type ApiContext, type UserPrincipal } from './context.ts';
import { zonesVisibleTo } from './visibleZones.ts';

const people = { config: { roles: ['admin', 'operator'] as const } };
const SHARED = 'shared';
/** The name of the wall as last left, in the person's own scope. */
const CURRENT = '';
const scopeOf = (principal: UserPrincipal) => `user:${principal.userId}`;

/**
 * Video walls: a person's own (the wall as last left, and named layouts) and the layouts admins
 * share. An operator gets only the zones it may watch, now: a shared layout never names a zone
 * outside its grants, and neither does a wall saved before a grant was removed.
 */
export function registerLayoutRoutes(api: ApiApp, ctx: ApiContext): void {
  const visibleTo = (principal: UserPrincipal) => zonesVisibleTo(ctx.store, principal);
  const view = (record: WallLayoutRecord, visible: (zone: string) => boolean, principal: UserPrincipal): LayoutView => ({
    name: record.name, grid: record.grid as WallGrid, zones: record.zones.filter(visible), shared: record.scope === SHARED,
    updatedAt: new Date(record.updatedAt).toISOString(), updatedBy: record.updatedBy,
    // An operator is not told who else a layout is for.
    audience: principal.role === 'admin' ? record.audience : null,
  });
  /** A shared layout is for every operator, or for those its audience names; an admin sees them all. */
  const isFor = (record: WallLayoutRecord, principal: UserPrincipal): boolean =>
    record.scope !== SHARED || principal.role === 'admin' || record.audience === null || record.audience.includes(principal.username);

  api.get('/layouts', people, async (request) => {
    const visible = await visibleTo(request.principal);
    const records = await ctx.store.wallLayouts.list([scopeOf(request.principal), SHARED]);
    const current = records.find((r) => r.scope !== SHARED && r.name === CURRENT);
    return {
      layouts: records.filter((r) => r.name !== CURRENT && isFor(r, request.principal)).map((r) => view(r, visible, request.principal)),
      current: current ? { grid: current.grid as WallGrid, zones: current.zones.filter(visible) } satisfies Wall : null,
    };
  });

  api.put('/layouts/:name', { ...people, schema: { params: layoutParamSchema, body: saveLayoutSchema } }, async (request, reply) => {
    const { grid, zones, shared, audience } = request.body;
    if (shared && request.principal.role !== 'admin') return sendError(reply, 'ROLE_FORBIDDEN', 'Only an admin shares a layout.');
    if (audience.length > 0 && !shared) return sendError(reply, 'PAYLOAD_INVALID', 'Only a shared layout has an audience.');
    const operators = new Set((await ctx.store.users.list()).filter((u) => u.role === 'operator').map((u) => u.username));
    const unknown = audience.filter((name) => !operators.has(name));
    if (unknown.length > 0) return sendError(reply, 'NOT_FOUND', `No operator named ${unknown.join(', ')}.`);
    const record: WallLayoutRecord = {
      scope: shared ? SHARED : scopeOf(request.principal), name: request.params.name, grid, zones, updatedAt: Date.now(), updatedBy: request.principal.username,
      audience: audience.length > 0 ? [...new Set(audience)] : null,
    };
    await ctx.store.wallLayouts.save(record);
    return { layout: view(record, await visibleTo(request.principal), request.principal) };
  });

  api.delete('/layouts/:name', { ...people, schema: { params: layoutParamSchema, querystring: layoutQuerySchema } }, async (request, reply) => {
    const shared = request.query.shared === 'true';
    if (shared && request.principal.role !== 'admin') return sendError(reply, 'ROLE_FORBIDDEN', 'Only an admin removes a shared layout.');
    const removed = await ctx.store.wallLayouts.remove(shared ? SHARED : scopeOf(request.principal), request.params.name);
    return removed ? {} : sendError(reply, 'NOT_FOUND', 'No such layout.');
  });

  api.put('/wall', { ...people, schema: { body: wallSchema } }, async (request) => {
    await ctx.store.wallLayouts.save({ scope: scopeOf(request.principal), name: CURRENT, ...request.body, updatedAt: Date.now(), updatedBy: request.principal.username, audience: null });
    return {};
  });
}
