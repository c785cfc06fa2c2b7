import { cameraProfileParamSchema, clipQuerySchema, evidenceQuerySchema, holdSchema, idParamSchema, recordingSchema, retentionSchema, saveClipSchema, type EvidenceView } from '../../../shared/index.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EvidenceRecord } from '../../store/types.ts';
import type { ApiApp } from '../GatewayApp.ts';
import { sendError } from '../replyError.ts';
import { actorOf, type ApiContext } from './context.ts';
import { zonesVisibleTo } from './visibleZones.ts';

const watchers = { config: { roles: ['admin', 'operator'] as const } };
const admins = { config: { roles: ['admin'] as const } };

const view = ({ file: _file, startedAt, endedAt, createdAt, ...r }: EvidenceRecord): EvidenceView => ({
  ...r, startedAt: new Date(startedAt).toISOString(), endedAt: new Date(endedAt).toISOString(), createdAt: new Date(createdAt).toISOString(),
});

/**
 * Evidence clips for those whose grants cover their zone: listed, cut on an operator's click,
 * played and downloaded (each audited with the clip's SHA-256), put under legal hold by an admin.
 * A clip of a forbidden zone is refused (403, audited) and never listed.
 */
/**
 * Clip `id`, if its zone is within the caller's grants; otherwise the refusal is
 * sent (NOT_FOUND, or ZONE_FORBIDDEN audited) and null returned.
 */
async function visibleClip(ctx: ApiContext, id: number, request: FastifyRequest, reply: FastifyReply): Promise<EvidenceRecord | null> {
  const clip = await ctx.evidence.byId(id);
  if (!clip) {
    sendError(reply, 'NOT_FOUND', 'No such clip.');
    return null;
  }
  if (!(await zonesVisibleTo(ctx.store, request.principal))(clip.zone)) {
    await ctx.audit.record({ ...actorOf(request), kind: 'api.denied', zone: clip.zone, outcome: 'denied', detail: { code: 'ZONE_FORBIDDEN', evidence: clip.id } });
    sendError(reply, 'ZONE_FORBIDDEN', 'This clip is of a zone outside your grants.');
    return null;
  }
  return clip;
}

export function registerEvidenceRoutes(api: ApiApp, ctx: ApiContext): void {
  api.get('/evidence', { ...watchers, schema: { querystring: evidenceQuerySchema } }, async (request): Promise<{ clips: EvidenceView[] }> => {
    const { zone, event, before, limit } = request.query;
    const visible = await zonesVisibleTo(ctx.store, request.principal);
    const clips = await ctx.evidence.list(visible, { ...(zone ? { zone } : {}), ...(event ? { eventId: event } : {}), ...(before ? { before } : {}), limit });
    return { clips: clips.map(view) };
  });

  // An operator's click: the zone's last seconds and the next few, from the ring buffer of this node.
  api.post('/evidence', { ...watchers, schema: { body: saveClipSchema } }, async (request, reply) => {
    const { zone } = request.body;
    if (!(await zonesVisibleTo(ctx.store, request.principal))(zone)) {
      await ctx.audit.record({ ...actorOf(request), kind: 'api.denied', zone, outcome: 'denied', detail: { code: 'ZONE_FORBIDDEN', action: 'save clip' } });
      return sendError(reply, 'ZONE_FORBIDDEN', 'This zone is outside your grants.');
    }
    if (!ctx.evidence.hasRing(zone)) return sendError(reply, 'NOT_FOUND', 'This gateway keeps no recent video of that zone: an admin turns its recording on (Admin → Named cameras), or an IP camera\'s detection.');
    const now = Date.now();
    const { preRollSeconds, postRollSeconds } = ctx.evidence.settings;
    const clip = await ctx.evidence.saveClip({ zone, camera: ctx.cameras.catalogue.byZone().get(zone)?.displayName ?? null, fromMs: now - preRollSeconds * 1000, toMs: now + postRollSeconds * 1000, eventId: null, by: actorOf(request) });
    if (!clip) return sendError(reply, 'NOT_FOUND', 'The camera\'s recent video is not there (it just started, or stopped).');
    return { clip: view(clip) };
  });

  api.get('/evidence/:id/clip.mp4', { ...watchers, schema: { params: idParamSchema, querystring: clipQuerySchema } }, async (request, reply) => {
    const clip = await visibleClip(ctx, request.params.id, request, reply);
    if (!clip) return reply;
    const download = request.query.download === '1';
    const body = await ctx.evidence.open(actorOf(request), clip, download);
    void reply.type('video/mp4').header('Cache-Control', 'private, no-store').header('Content-Length', String(clip.bytes)).header('X-Content-SHA256', clip.sha256);
    if (download) void reply.header('Content-Disposition', `attachment; filename="${clip.zone}-${new Date(clip.startedAt).toISOString().replace(/[:.]/g, '-')}.mp4"`);
    return reply.send(body);
  });

  api.get('/evidence/:id/snapshot.jpg', { ...watchers, schema: { params: idParamSchema } }, async (request, reply) => {
    const clip = await visibleClip(ctx, request.params.id, request, reply);
    if (!clip) return reply;
    const jpeg = await ctx.evidence.snapshot(actorOf(request), clip);
    if (!jpeg) return sendError(reply, 'NOT_FOUND', 'This clip has no snapshot.');
    return reply.type('image/jpeg').header('Cache-Control', 'private, no-store').send(jpeg);
  });

  api.put('/evidence/:id/hold', { ...admins, schema: { params: idParamSchema, body: holdSchema } }, async (request, reply) => {
    const held = await ctx.evidence.hold(actorOf(request), request.params.id, request.body.held);
    if ('code' in held) return sendError(reply, held.code, held.message);
    return { clip: view(held) };
  });

  // Recording: the zone's camera keeps ~30 s in a ring buffer for clips (a browser camera then publishes through the relay).
  api.put('/camera-profiles/:zone/recording', { ...admins, schema: { params: cameraProfileParamSchema, body: recordingSchema } }, async (request) => {
    await ctx.cameras.catalogue.setRecord(actorOf(request), request.params.zone, request.body.record);
    return { zone: request.params.zone, record: (await ctx.cameras.catalogue.settings(request.params.zone)).record };
  });

  api.put('/camera-profiles/:zone/retention', { ...admins, schema: { params: cameraProfileParamSchema, body: retentionSchema } }, async (request) => {
    await ctx.evidence.setRetention(actorOf(request), request.params.zone, request.body.days, request.body.megabytes);
    return { zone: request.params.zone, retention: await ctx.evidence.retentionOf(request.params.zone) };
  });
}
