import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { SceneEvent } from '../../src/shared/index.ts';
import { nextEvent, openSocket, recordEvents, type TestClient } from '../support/clients.ts';
import { freePort } from '../support/ports.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startRtspCamera, type RtspCamera } from '../support/rtspCamera.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * The gateway's own detector of an IP camera: the same ffmpeg that copies the camera's H.264 to
 * the relay also decodes a 160×90 grey copy at 5 frames a second, for the camera with `detect`
 * only. Both cameras here send a moving ball on a grey ground.
 */
let gw: TestGateway;
const cameras: RtspCamera[] = [];
const clients: TestClient[] = [];

before(async () => {
  const [watched, plain] = [await freePort(), await freePort()];
  cameras.push(await startRtspCamera('baseline', { port: watched, lit: true }), await startRtspCamera('baseline', { port: plain, lit: true }));
  gw = await startGateway({
    media: { policy: 'auto', workers: 1 },
    cameras: [
      { zone: 'DEPOT-DETECT-01', name: 'Depot yard', url: `rtsp://127.0.0.1:${watched}/cam`, detect: true },
      { zone: 'DEPOT-PLAIN-02', name: 'Depot office', url: `rtsp://127.0.0.1:${plain}/cam` },
    ],
  });
});
after(async () => {
  clients.forEach((c) => c.close());
  await gw?.close();
  await Promise.all(cameras.map((c) => c.stop()));
});

it('raises motion for an IP camera with detection on, from the gateway\'s own decoded copy, and nothing for one without', async () => {
  const operator = openSocket(gw.url, { role: 'operator', protocol: 1 }, { extraHeaders: { cookie: gw.admin.cookie } });
  clients.push(operator);
  const log = recordEvents(operator);
  await nextEvent(operator, 'zone:directory');
  await waitFor(() => log.events.some((e) => e.event === 'scene:events' && (e.payload as { events: SceneEvent[] }).events.some((s) => s.zone === 'DEPOT-DETECT-01' && s.kind === 'motion')),
    'motion in the detecting camera\'s zone', { timeoutMs: 25_000, everyMs: 100 });
  const motion = log.events.flatMap((e) => (e.event === 'scene:events' ? (e.payload as { events: SceneEvent[] }).events : [])).find((s) => s.zone === 'DEPOT-DETECT-01')!;
  assert.equal(motion.camera, 'Depot yard', 'named as the admin named the camera');
  assert.ok(motion.score > 0);
  await waitFor(() => gw.gateway.cameras.running.ingest(2)?.status === 'live', 'the other camera live', { timeoutMs: 20_000 });
  // Live for as long as the first one took to raise its motion: nothing from it.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const plain = log.events.filter((e) => e.event === 'scene:events' && JSON.stringify(e.payload).includes('DEPOT-PLAIN-02'));
  assert.equal(plain.length, 0, 'no detection where it is off');
  const listed = (await gw.api('/api/cameras', { cookie: gw.admin.cookie })).json.cameras as { zone: string; detect: boolean }[];
  assert.deepEqual(listed.map((c) => [c.zone, c.detect]).sort(), [['DEPOT-DETECT-01', true], ['DEPOT-PLAIN-02', false]]);
});
