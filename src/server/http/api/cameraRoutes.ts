import { cameraConnectionSchema, createCameraSchema, discoverySchema, idParamSchema, onvifTargetSchema, protocolError } from '../../../shared/index.ts';
import { cameraView } from '../../cameras/IpCameras.ts';
import { discoverOnvif, discoveryInterfaces } from '../../cameras/onvifDiscovery.ts';
import { CameraFault } from '../../cameras/probeCamera.ts';
import type { ApiApp } from '../GatewayApp.ts';
import { sendError } from '../replyError.ts';
import { actorOf, type ApiContext } from './context.ts';

const admin = { config: { roles: ['admin'] as const } };
/** A test reads a camera for a few seconds with ffprobe: this many at once, per gateway. */
const CONCURRENT_TESTS = 2;

/**
 * IP cameras: admins only. Records live in CameraSources (shared with the CLI and the config
 * file); the running ingests follow at once on this gateway and within a poll on the others.
 * Passwords go in and never come back (`hasPassword`).
 */
export function registerCameraRoutes(api: ApiApp, ctx: ApiContext): void {
  const { sources, running } = ctx.cameras;
  let testing = 0;

  api.get('/cameras', admin, async () => ({ cameras: await running.list(), edge: ctx.cameras.edge.list() }));

  api.post('/cameras', { ...admin, schema: { body: createCameraSchema } }, async (request, reply) => {
    const added = await sources.add(actorOf(request), request.body);
    if (!added.ok) return sendError(reply, added.error.code, added.error.message);
    await running.sync();
    return reply.code(201).send({ camera: cameraView(added.value, running.ingest(added.value.id)) });
  });

  api.delete('/cameras/:id', { ...admin, schema: { params: idParamSchema } }, async (request, reply) => {
    const removed = await sources.remove(actorOf(request), request.params.id);
    if (!removed.ok) return sendError(reply, removed.error.code, removed.error.message);
    await running.sync();
    return {};
  });

  /** Each test reaches out to a camera for seconds: a few at a time, whoever asks. */
  async function limited<T>(reply: Parameters<typeof sendError>[0], run: () => Promise<T>): Promise<T | ReturnType<typeof sendError>> {
    if (testing >= CONCURRENT_TESTS) {
      const error = protocolError('RATE_LIMITED', 'Other camera tests are running; try again in a few seconds.');
      return sendError(reply, error.code, error.message);
    }
    testing += 1;
    try {
      return await run();
    } finally {
      testing -= 1;
    }
  }

  api.post('/cameras/test', { ...admin, schema: { body: cameraConnectionSchema } }, async (request, reply) => limited(reply, () => {
    const { url, username, password, transport } = request.body;
    return running.test({ url, username: username || null, password: password || null, transport });
  }));

  api.post('/cameras/onvif', { ...admin, schema: { body: onvifTargetSchema } }, async (request, reply) => limited(reply, () => {
    const { host, port, username, password } = request.body;
    return running.askOnvif({ host, port, username: username || null, password: password || null });
  }));

  api.get('/cameras/interfaces', admin, async () => ({ interfaces: discoveryInterfaces() }));

  api.post('/cameras/discover', { ...admin, schema: { body: discoverySchema } }, async (request, reply) => limited(reply, async () => {
    try {
      return { cameras: await discoverOnvif(request.body.interface) };
    } catch (error) {
      if (error instanceof CameraFault) return sendError(reply, 'NOT_FOUND', error.message);
      throw error;
    }
  }));
}
