import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { ZoneSummary } from '../../src/shared/index.ts';
import { nextEvent, openSocket, request, type TestClient } from '../support/clients.ts';
import { freePort } from '../support/ports.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startRtspCamera, type RtspCamera } from '../support/rtspCamera.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * Operators see an IP camera's zone whatever its state: named, and while it is down, with why
 * (in operator's words: the admin page has the reason) and since when; within their grants only.
 */
let gw: TestGateway;
let camera: RtspCamera | null = null;
let port: number;
const clients: TestClient[] = [];

before(async () => {
  port = await freePort();
  gw = await startGateway({
    media: { policy: 'auto', workers: 1 },
    cameras: [{ zone: 'DEPOT-GATE-01', name: 'Depot gate', url: `rtsp://127.0.0.1:${port}/cam` }],
  });
});
after(async () => {
  clients.forEach((c) => c.close());
  await gw?.close();
  await camera?.stop();
});

async function directoryOf(socket: TestClient): Promise<ZoneSummary[]> {
  const reply = await request(socket, 'zone:list', {});
  return (reply as unknown as { zones: ZoneSummary[] }).zones;
}

it('lists a down IP camera with its name and status, then live once it answers; an operator without the grant never hears of it', async () => {
  await waitFor(() => gw.gateway.cameras.running.ingest(1)?.status === 'unreachable', 'unreachable', { timeoutMs: 10_000 });
  const admin = openSocket(gw.url, { role: 'operator', protocol: 1 }, { extraHeaders: { cookie: gw.admin.cookie } });
  clients.push(admin);
  const [first] = (await nextEvent(admin, 'zone:directory')).zones;
  assert.equal(first?.zone, 'DEPOT-GATE-01');
  assert.equal(first?.cameraOnline, false);
  assert.equal(first?.ipCamera?.name, 'Depot gate');
  assert.equal(first?.ipCamera?.status, 'unreachable');
  assert.ok(Date.parse(first!.ipCamera!.since) <= Date.now());
  assert.ok(!('reason' in first!.ipCamera!), 'the reason is for admins');
  assert.deepEqual(await directoryOf(admin), [first], 'zone:list says the same as the directory');

  const outsider = await gw.addUser('dir-outsider', 'operator', ['PARK-*']);
  const other = openSocket(gw.url, { role: 'operator', protocol: 1 }, { extraHeaders: { cookie: outsider.cookie } });
  clients.push(other);
  assert.deepEqual((await nextEvent(other, 'zone:directory')).zones, []);

  camera = await startRtspCamera('baseline', { port });
  await waitFor(async () => {
    const zone = (await directoryOf(admin))[0];
    return zone?.cameraOnline === true && zone.ipCamera?.status === 'live';
  }, 'the camera live in the directory', { timeoutMs: 20_000, everyMs: 200 });
  assert.deepEqual(await directoryOf(other), []);

  // Its thumbnail is decoded when asked for, from the latest keyframe its ffmpeg copies: a 192-pixel JPEG.
  let thumbnail = await gw.api('/api/thumbnails/DEPOT-GATE-01', { cookie: gw.admin.cookie });
  await waitFor(async () => (thumbnail = await gw.api('/api/thumbnails/DEPOT-GATE-01', { cookie: gw.admin.cookie })).status === 200,
    'a thumbnail within 12 s of going live', { timeoutMs: 12_000, everyMs: 250 });
  assert.equal(thumbnail.headers['content-type'], 'image/jpeg');
  const jpeg = (await gw.gateway.cameras.thumbnails.get('DEPOT-GATE-01'))!.jpeg;
  assert.deepEqual([jpeg[0], jpeg[1], jpeg.at(-2), jpeg.at(-1)], [0xff, 0xd8, 0xff, 0xd9], 'one whole JPEG');
  assert.equal(jpeg.readUInt16BE(jpegSizeOffset(jpeg) + 2), 192, 'width');
  assert.equal((await gw.api('/api/thumbnails/DEPOT-GATE-01', { cookie: outsider.cookie })).status, 204, 'nothing for an operator without the grant');
});

/** Where a baseline JPEG's frame header (SOF0) keeps height then width: after its marker, length and precision. */
function jpegSizeOffset(jpeg: Buffer): number {
  for (let i = 2; i + 9 < jpeg.length;) {
    const marker = jpeg[i + 1]!;
    if (marker >= 0xc0 && marker <= 0xc2) return i + 5;
    i += 2 + jpeg.readUInt16BE(i + 2);
  }
  throw new Error('no frame header');
}
