import { protocolError, type ServerToClientEvents } from '../../../shared/index.ts';
import type { Handler } from '../types.ts';

type RelayedEvent = 'signal:offer' | 'signal:answer' | 'signal:candidate' | 'signal:restart';

/**
 * Every signalling message names a peer id; the registry answers with the one connection at the
 * other end of that pairing. Nothing is broadcast, and a peer id the sender is not part of is
 * refused without saying whether it exists. The sender's right to the zone is checked on every
 * message, not only at watch or publish. The payload was parsed by a strict schema, so spreading
 * it forwards known fields only.
 */
function relay<E extends RelayedEvent>(event: E): Handler<E> {
  return async (ctx, { socket, participant, candidates, msg }) => {
    const route = await ctx.presence.route(participant, msg.peerId);
    if (!route.ok) {
      ctx.activity.denied('signal.denied', participant, null, route.error, { event });
      return route;
    }
    const principal = socket.data.principal;
    const allowed = principal.kind === 'camera' ? ctx.access.mayPublish(principal, route.zone) : ctx.access.mayWatch(principal, route.zone);
    if (!allowed) {
      const error = protocolError('ZONE_FORBIDDEN');
      ctx.activity.denied('signal.denied', participant, route.zone, error, { event });
      return { ok: false, error };
    }
    if (event !== 'signal:candidate') {
      candidates.reset(msg.peerId);
    } else if ((msg as { candidate: unknown }).candidate !== null && !candidates.take(msg.peerId)) {
      const error = protocolError('CANDIDATE_LIMIT');
      ctx.activity.denied('signal.denied', participant, route.zone, error, { event });
      return { ok: false, error };
    }
    const forwarded = { ...msg, zone: route.zone } as Parameters<ServerToClientEvents[E]>[0];
    (route.target.send as (event: E, payload: typeof forwarded) => void)(event, forwarded);
    return { ok: true };
  };
}

export const signalOffer = relay('signal:offer');
export const signalAnswer = relay('signal:answer');
export const signalCandidate = relay('signal:candidate');
export const signalRestart = relay('signal:restart');

/** A viewer stopped playing its peer-to-peer connection: its relay connection shows a picture. */
export const signalClose: Handler<'signal:close'> = async (ctx, { participant, msg }) => ctx.presence.retire(participant, msg.peerId);
