import type { ZoneId } from '../../../shared/index.ts';
import type { Handler } from '../types.ts';

/** Network quality from a console's getStats, kept for /metrics; only zones it watches count. */
export const qualityReport: Handler<'quality:report'> = (ctx, { participant, msg }) => {
  const watched = new Set<string>(ctx.presence.watchedBy(participant));
  let accepted = 0;
  for (const { zone, ...sample } of msg.tiles) {
    if (!watched.has(zone)) continue;
    ctx.quality.report(participant.id, zone as ZoneId, sample);
    accepted += 1;
  }
  return { ok: true, accepted };
};
