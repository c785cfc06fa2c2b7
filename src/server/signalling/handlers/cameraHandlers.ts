import type { Handler } from '../types.ts';
import { withZone } from './zoneField.ts';

export const cameraPublish: Handler<'camera:publish'> = (ctx, { participant, msg, logger }) =>
  withZone(msg.zone, (zone) => {
    const result = ctx.registry.publish(participant, zone, msg.resumeToken);
    if (result.ok) logger.info({ zone, replacedStaleSession: result.replacedStaleSession }, 'camera publishing');
    return result;
  });

export const cameraUnpublish: Handler<'camera:unpublish'> = (ctx, { participant, msg, logger }) =>
  withZone(msg.zone, (zone) => {
    const result = ctx.registry.unpublish(participant, zone);
    if (result.ok) logger.info({ zone }, 'camera stopped publishing');
    return result;
  });
