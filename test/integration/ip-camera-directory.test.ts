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
});
