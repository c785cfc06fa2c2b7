import { protocolError } from '../../../shared/index.ts';
import type { Handler } from '../types.ts';
import { withZone } from './zoneField.ts';

export const zoneWatch: Handler<'zone:watch'> = (ctx, { socket, participant, msg, logger }) =>
  withZone(msg.zone, async (zone) => {
    if (!ctx.access.mayWatch(socket.data.principal, zone)) {
      const error = protocolError('ZONE_FORBIDDEN', `You have no grant for ${zone}.`);
      ctx.activity.denied('view.denied', participant, zone, error);
      return { ok: false, error };
    }
    const check = await ctx.presence.watchCheck(participant, zone);
    if (check && check !== 'already') return { ok: false, error: check };
    if (check === null) await ctx.activity.started('view', zone, participant, ctx.presence.pathFor(zone));
    const result = socket.connected
      ? await ctx.presence.watch(participant, zone, msg.resumePeerId)
      : { ok: false as const, error: protocolError('NOT_WATCHING', 'The connection closed.') };
    if (!result.ok && check === null) await ctx.activity.notStarted('view', zone, participant, result.error);
    else if (result.ok) logger.info({ zone, state: result.state, resumed: result.resumed }, 'watching zone');
    return result;
  });

export const zoneUnwatch: Handler<'zone:unwatch'> = (ctx, { participant, msg, logger }) =>
  withZone(msg.zone, async (zone) => {
    const result = await ctx.presence.unwatch(participant, zone);
    if (result.ok) logger.info({ zone }, 'stopped watching zone');
    return result;
  });

/**
 * A still of a tile, saved by the operator's browser: allowed for a zone this connection watches
 * now (its grant checked again), and in the trail with its SHA-256 before the browser writes the
 * file, so every still that exists can be matched to who took it and when.
 */
export const zoneSnapshot: Handler<'zone:snapshot'> = (ctx, { socket, participant, msg }) =>
  withZone(msg.zone, async (zone) => {
    if (!ctx.access.mayWatch(socket.data.principal, zone) || !ctx.presence.watchedBy(participant).includes(zone)) {
      const error = protocolError('NOT_WATCHING', `A still is saved of a zone this console watches; ${zone} is not on its wall.`);
      ctx.activity.denied('view.snapshot', participant, zone, error);
      return { ok: false, error };
    }
    await ctx.activity.acted('view.snapshot', participant, zone, { sha256: msg.sha256, width: msg.width, height: msg.height });
    return { ok: true };
  });

/** Only the zones this connection may watch; a forbidden zone is not even named. */
export const zoneList: Handler<'zone:list'> = async (ctx, { socket }) => ({
  ok: true,
  zones: await ctx.zonesFor(socket.data.principal),
});
