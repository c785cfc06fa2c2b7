import { protocolError, type Ack, type CameraSettings } from '../../../shared/index.ts';
import type { Handler } from '../types.ts';
import { withZone } from './zoneField.ts';

export const cameraPublish: Handler<'camera:publish'> = (ctx, { socket, participant, msg, logger }) =>
  withZone(msg.zone, async (zone) => {
    if (!ctx.access.mayPublish(socket.data.principal, zone)) {
      const error = protocolError('ZONE_FORBIDDEN', `This camera key may publish ${socket.data.principal.kind === 'camera' ? socket.data.principal.zonePattern : 'nothing'}, not ${zone}.`);
      ctx.activity.denied('publish.denied', participant, zone, error);
      return { ok: false, error };
    }
    const check = await ctx.presence.publishCheck(participant, zone, msg.resumeToken);
    if (check === 'already') return { ok: true, zone, replacedStaleSession: false, resumedPeers: [] };
    if (check) return { ok: false, error: check };
    // Recorded before it takes effect; the connection may have gone while the entry was written.
    await ctx.activity.started('publish', zone, participant);
    const result = socket.connected
      ? await ctx.presence.publish(participant, zone, msg.resumeToken, msg.resumePeers)
      : { ok: false as const, error: protocolError('NOT_PUBLISHING', 'The connection closed.') };
    if (!result.ok) await ctx.activity.notStarted('publish', zone, participant, result.error);
    else logger.info({ zone, replacedStaleSession: result.replacedStaleSession, resumedPeers: result.resumedPeers.length }, 'camera publishing');
    return result;
  });

export const cameraUnpublish: Handler<'camera:unpublish'> = (ctx, { participant, msg, logger }) =>
  withZone(msg.zone, async (zone) => {
    const result = await ctx.presence.unpublish(participant, zone);
    if (result.ok) logger.info({ zone }, 'camera stopped publishing');
    return result;
  });

/**
 * A camera node asks for its zone's privacy masks and detection settings before it publishes, so
 * its very first frame is masked; read from the store, not this node's copy (another node's admin
 * may have just set them).
 */
export const cameraSettings: Handler<'camera:settings'> = (ctx, { socket, participant, msg }) =>
  withZone(msg.zone, async (zone): Promise<Ack<CameraSettings>> => {
    if (!ctx.access.mayPublish(socket.data.principal, zone)) {
      const error = protocolError('ZONE_FORBIDDEN', `This camera key may not publish ${zone}.`);
      ctx.activity.denied('event.denied', participant, zone, error, { event: 'camera:settings' });
      return { ok: false, error };
    }
    return { ok: true, ...(await ctx.settingsOf(zone)) };
  });

/** A camera node's thumbnail of its own picture, for the directory (one per zone every few seconds at most). */
export const cameraThumbnail: Handler<'camera:thumbnail'> = (ctx, { participant, msg }) =>
  withZone(msg.zone, (zone) => {
    const refused = ctx.thumbnails.accept(participant, zone, msg.jpeg);
    return refused ? { ok: false, error: refused } : { ok: true };
  });

/** An edge node's word on the camera it pulls for the zone (live, or why not): for the directory and the admin page. */
export const cameraStatus: Handler<'camera:status'> = (ctx, { socket, participant, msg }) =>
  withZone(msg.zone, (zone) => {
    const principal = socket.data.principal;
    if (!ctx.access.mayPublish(principal, zone) || principal.kind !== 'camera') {
      const error = protocolError('ZONE_FORBIDDEN', `This camera key may not report on ${zone}.`);
      ctx.activity.denied('event.denied', participant, zone, error, { event: 'camera:status' });
      return { ok: false, error };
    }
    ctx.edgeCameras.report(participant.id, principal.label, zone, msg.name, msg.status, msg.reason);
    return { ok: true };
  });
