import { cameraProfileParamSchema, cameraProfileSchema, privacyMasksSchema, detectionSettingsSchema, DEFAULT_DETECTION, type CameraProfileView, type ZoneId } from '../../../shared/index.ts';
import type { ApiApp } from '../GatewayApp.ts';
import { sendError } from '../replyError.ts';
import { actorOf, type ApiContext } from './context.ts';
import { iso } from './views.ts';
import { zonesVisibleTo } from './visibleZones.ts';

const admin = { config: { roles: ['admin'] as const } };
const byZone = { ...admin, schema: { params: cameraProfileParamSchema } };

/**
 * Named cameras for admins: every zone's camera the gateway has seen or an admin described, with
 * its name, place and group (operators get the same in their directory, for the zones they may
 * watch). Each change is audited (`camera.described`) and reaches every console within a push.
 */
export function registerCameraProfileRoutes(api: ApiApp, ctx: ApiContext): void {
  const { catalogue } = ctx.cameras;

  api.get('/camera-profiles', admin, async (): Promise<{ cameras: CameraProfileView[] }> => {
    await catalogue.reload();
    const infos = catalogue.byZone();
    return {
      cameras: catalogue.records().map((r) => ({
        zone: r.zone, ...infos.get(r.zone as ZoneId)!, keyLabel: r.keyLabel, updatedAt: iso(r.updatedAt), updatedBy: r.updatedBy, masks: r.masks, detection: r.detection ?? DEFAULT_DETECTION,
        ipCamera: ctx.cameras.running.recordOf(r.zone as ZoneId) !== null, record: r.record,
      })),
    };
  });

  api.put('/camera-profiles/:zone', { ...byZone, schema: { ...byZone.schema, body: cameraProfileSchema } }, async (request) => {
    await catalogue.describe(actorOf(request), request.params.zone, request.body);
    return { camera: catalogue.byZone().get(request.params.zone) ?? null };
  });

  // Privacy masks: the camera publishing the zone blacks them out from its next frame (audited with the polygons).
  api.put('/camera-profiles/:zone/masks', { ...byZone, schema: { ...byZone.schema, body: privacyMasksSchema } }, async (request) => {
    await catalogue.setMasks(actorOf(request), request.params.zone, request.body.masks);
    return { zone: request.params.zone, masks: (await catalogue.settings(request.params.zone)).masks };
  });

  // Detection settings: the camera node's detector (or the gateway's, for an IP camera) from its next frame (audited).
  api.put('/camera-profiles/:zone/detection', { ...byZone, schema: { ...byZone.schema, body: detectionSettingsSchema } }, async (request) => {
    await catalogue.setDetection(actorOf(request), request.params.zone, request.body);
    return { zone: request.params.zone, detection: (await catalogue.settings(request.params.zone)).detection };
  });

  // A zone's directory thumbnail, for those who may watch it: the same answer (204, nothing) whether
  // the zone is forbidden or has none yet, so a thumbnail never tells that a zone exists (and a
  // console asking for one a moment before the camera's first is not an error).
  api.get('/thumbnails/:zone', { config: { roles: ['admin', 'operator'] as const }, schema: { params: cameraProfileParamSchema } }, async (request, reply) => {
    const visible = await zonesVisibleTo(ctx.store, request.principal);
    const thumbnail = visible(request.params.zone) ? await ctx.cameras.thumbnails.get(request.params.zone) : null;
    if (!thumbnail) return reply.code(204).send();
    return reply.type('image/jpeg').header('Last-Modified', new Date(thumbnail.at).toUTCString()).send(thumbnail.jpeg);
  });

  api.delete('/camera-profiles/:zone', byZone, async (request, reply) => {
    if (!(await catalogue.remove(actorOf(request), request.params.zone))) return sendError(reply, 'NOT_FOUND', 'No camera is known in that zone.');
    return { removed: request.params.zone };
  });
}
