import type { Handler } from '../types.ts';
import { withZone } from './zoneField.ts';

export const zoneWatch: Handler<'zone:watch'> = (ctx, { participant, msg, logger }) =>
  withZone(msg.zone, (zone) => {
    const result = ctx.registry.watch(participant, zone);
    if (result.ok) logger.info({ zone, state: result.state }, 'watching zone');
    return result;
  });

export const zoneUnwatch: Handler<'zone:unwatch'> = (ctx, { participant, msg, logger }) =>
  withZone(msg.zone, (zone) => {
    const result = ctx.registry.unwatch(participant, zone);
    if (result.ok) logger.info({ zone }, 'stopped watching zone');
    return result;
  });

export const zoneList: Handler<'zone:list'> = (ctx) => ({ ok: true, zones: ctx.registry.summaries() });
