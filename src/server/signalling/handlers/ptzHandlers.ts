import { protocolError, type Ack, type ZoneId } from '../../../shared/index.ts';
import type { PtzCommand } from '../../cameras/CameraControl.ts';
import type { Handler, HandlerCall, HandlerContext } from '../types.ts';
import { withZone } from './zoneField.ts';

/** Camera control goes to CameraControl, which checks the control right on this live connection. */
function steer<T extends object>(ctx: HandlerContext, call: HandlerCall<'ptz:move' | 'ptz:stop' | 'ptz:preset' | 'ptz:presets'>, command: PtzCommand): Ack<T> | Promise<Ack<T>> {
  return withZone(call.msg.zone, async (zone: ZoneId) => {
    if (!ctx.cameraControl) return { ok: false, error: protocolError('PTZ_UNAVAILABLE', 'This gateway steers no cameras.') };
    return (await ctx.cameraControl.command({ participant: call.participant, principal: call.socket.data.principal }, zone, command)) as Ack<T>;
  });
}

export const ptzPresets: Handler<'ptz:presets'> = (ctx, call) => steer(ctx, call, { action: 'presets' });
export const ptzMove: Handler<'ptz:move'> = (ctx, call) => steer(ctx, call, { action: 'move', move: call.msg });
export const ptzStop: Handler<'ptz:stop'> = (ctx, call) => steer(ctx, call, { action: 'stop' });
export const ptzPreset: Handler<'ptz:preset'> = (ctx, call) => steer(ctx, call, { action: 'preset', preset: call.msg.preset });
