import { protocolError, type ProtocolError, type SceneEvent } from '../../../shared/index.ts';
import { principalName, principalRole } from '../../auth/Principal.ts';
import type { Actor } from '../../auth/Accounts.ts';
import type { Participant } from '../../zones/Participant.ts';
import type { Handler, HandlerContext } from '../types.ts';
import { withZone } from './zoneField.ts';

/** A camera node's detector saw motion or tampering start or end in the zone it publishes. */
export const cameraScene: Handler<'camera:scene'> = (ctx, { socket, participant, msg }) =>
  withZone(msg.zone, async (zone) => {
    const principal = socket.data.principal;
    const { zone: _zone, ...report } = msg;
    const refused = await ctx.sceneEvents.fromCamera(participant.id, principal.kind === 'camera' ? principal.label : null, zone, report);
    return refused ? { ok: false, error: refused } : { ok: true };
  });

export const eventAcknowledge: Handler<'event:acknowledge'> = async (ctx, { participant, msg }) => {
  const found = await visibleEvent(ctx, participant, msg.id);
  if ('error' in found) return { ok: false, error: found.error };
  return { ok: true, event: await ctx.sceneEvents.acknowledge(actorOf(participant), found.event) };
};

export const eventAnnotate: Handler<'event:annotate'> = async (ctx, { participant, msg }) => {
  const found = await visibleEvent(ctx, participant, msg.id);
  if ('error' in found) return { ok: false, error: found.error };
  return { ok: true, event: await ctx.sceneEvents.annotate(actorOf(participant), found.event, msg.note) };
};

/** The event, if this operator may watch its zone now (a refusal is audited). */
async function visibleEvent(ctx: HandlerContext, participant: Participant, id: number): Promise<{ event: SceneEvent } | { error: ProtocolError }> {
  const event = await ctx.sceneEvents.byId(id);
  if (!event) return { error: protocolError('NOT_FOUND', `No event ${id}.`) };
  const principal = participant.principal;
  if (principal && ctx.access.mayWatch(principal, event.zone)) return { event };
  const error = protocolError('ZONE_FORBIDDEN', `Event ${id} is of a zone you may not watch.`);
  ctx.activity.denied('event.denied', participant, event.zone, error, { event: 'event:acknowledge', id });
  return { error };
}

function actorOf(p: Participant): Actor {
  return { actor: p.principal ? principalName(p.principal) : '', actorRole: p.principal ? principalRole(p.principal) : '', address: p.address, userAgent: p.userAgent };
}
