import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../support/waitFor.ts';
import { connect, nextEvent, openSocket, newResumeToken, recordEvents, request, flush, type TestClient } from '../support/clients.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

type Summary = { zone: string; camera?: { displayName: string | null; lastSeenAt: string | null; keyRevoked: boolean; location: string | null; group: string | null } };
/** The presence part of an update; what is known of the cameras is checked on its own. */
const plain = (update: { zones: Summary[]; removed: string[] }) => ({ ...update, zones: update.zones.map(({ camera: _camera, ...zone }) => zone) });

describe('live zone directory', () => {
  let gw: TestGateway;
  const clients: TestClient[] = [];
  before(async () => { gw = await startGateway(); });
  after(async () => { clients.forEach((c) => c.close()); await gw.close(); });

  it('sends the whole directory at connect, then only what changed', async () => {
    const operator = await gw.connect('operator');
    clients.push(operator);
    const camera = await gw.connect('camera');
    clients.push(camera);
    const cameraLog = recordEvents(camera);

    const published = nextEvent(operator, 'zone:updated');
    await request(camera, 'camera:publish', { zone: 'CBD-TRAFFIC-01', resumeToken: newResumeToken() });
    assert.deepEqual(plain(await published), { zones: [{ zone: 'CBD-TRAFFIC-01', cameraOnline: true, viewers: 0 }], removed: [] });
    const named = (await published).zones[0]!.camera;
    assert.deepEqual([named?.displayName, named?.keyRevoked], ['test camera', false], 'named by its key\'s label');

    const watched = nextEvent(operator, 'zone:updated');
    await request(operator, 'zone:watch', { zone: 'CBD-TRAFFIC-01' });
    await request(operator, 'zone:watch', { zone: 'PARK-WEST-02' });
    // Both changes are coalesced into one push.
    assert.deepEqual(plain(await watched), {
      zones: [
        { zone: 'CBD-TRAFFIC-01', cameraOnline: true, viewers: 1 },
        { zone: 'PARK-WEST-02', cameraOnline: false, viewers: 1 },
      ],
      removed: [],
    });
    assert.deepEqual(await request(operator, 'zone:list', {}), { ok: true, zones: (await watched).zones });

    // An operator connecting now gets the whole directory once.
    const late = openSocket(gw.url, { role: 'operator', protocol: 1 }, { extraHeaders: { cookie: gw.admin.cookie } });
    clients.push(late);
    assert.deepEqual(await nextEvent(late, 'zone:directory'), { zones: (await watched).zones });
    const gone = nextEvent(operator, 'zone:updated');
    camera.close();
    assert.deepEqual(plain(await gone), { zones: [{ zone: 'CBD-TRAFFIC-01', cameraOnline: false, viewers: 1 }], removed: [] });
    assert.ok(Date.parse((await gone).zones[0]!.camera!.lastSeenAt!) >= Date.parse(named!.lastSeenAt!), 'last seen when it went');
    assert.equal(cameraLog.events.filter((e) => ['zone:directory', 'zone:updated', 'timeline:events'].includes(e.event)).length, 0, 'cameras are not sent the directory or its timeline');
  });

  it('pushes only the zones that changed, never the whole directory again', async () => {
    const operator = await gw.connect('operator');
    clients.push(operator);
    for (let i = 0; i < 20; i++) await request(operator, 'zone:watch', { zone: `MANY-${i}` });
    await nextEvent(operator, 'zone:updated');
    const one = nextEvent(operator, 'zone:updated');
    await request(operator, 'zone:unwatch', { zone: 'MANY-7' });
    assert.deepEqual(await one, { zones: [], removed: ['MANY-7'] });
  });

  it('keeps a camera that went listed, offline since then, under its name and place; says when its key is revoked; forgets it when told', async () => {
    const operator = await gw.connect('operator');
    clients.push(operator);
    const key = await gw.createCameraKey('HARBOUR-*', 'harbour gate key');
    const camera = await gw.connect('camera', { apiKey: key });
    clients.push(camera);
    await request(camera, 'camera:publish', { zone: 'HARBOUR-GATE-03', resumeToken: newResumeToken() });
    const described = await gw.api('/api/camera-profiles/HARBOUR-GATE-03', {
      method: 'PUT', cookie: gw.admin.cookie,
      body: { name: 'Gate 3 north', location: 'Harbour Rd & 3rd', group: 'Harbour', latitude: -33.8568, longitude: 151.2153, description: 'Looks north' },
    });
    assert.equal(described.status, 200);
    const zoneOf = async () => ((await request(operator, 'zone:list', {})) as unknown as { zones: (Summary & { cameraOnline: boolean })[] }).zones.find((z) => z.zone === 'HARBOUR-GATE-03');
    assert.deepEqual([(await zoneOf())?.camera?.displayName, (await zoneOf())?.camera?.location, (await zoneOf())?.camera?.group], ['Gate 3 north', 'Harbour Rd & 3rd', 'Harbour']);
    camera.close();
    await waitFor(async () => (await zoneOf())?.cameraOnline === false);
    const offline = await zoneOf();
    assert.ok(offline?.camera?.lastSeenAt, 'still listed, with when it was last seen');

    // Its key revoked: the directory says so (and the admin list names the key).
    const keyId = ((await gw.api('/api/keys', { cookie: gw.admin.cookie })).json.keys as { id: number; label: string }[]).find((k) => k.label === 'harbour gate key')!.id;
    const revoked = nextEvent(operator, 'zone:updated');
    await gw.api(`/api/keys/${keyId}`, { method: 'DELETE', cookie: gw.admin.cookie });
    assert.equal((await revoked).zones.find((z) => z.zone === 'HARBOUR-GATE-03')?.camera?.keyRevoked, true);
    const listed = (await gw.api('/api/camera-profiles', { cookie: gw.admin.cookie })).json.cameras.find((c: { zone: string }) => c.zone === 'HARBOUR-GATE-03');
    assert.deepEqual([listed.keyLabel, listed.keyRevoked, listed.name, listed.updatedBy], ['harbour gate key', true, 'Gate 3 north', 'admin']);

    // Bad input is refused with a typed error; nothing changes.
    const bad = await gw.api('/api/camera-profiles/HARBOUR-GATE-03', { method: 'PUT', cookie: gw.admin.cookie, body: { latitude: 91, longitude: 0 } });
    assert.deepEqual([bad.status, bad.json.error.code], [400, 'PAYLOAD_INVALID']);
    const half = await gw.api('/api/camera-profiles/HARBOUR-GATE-03', { method: 'PUT', cookie: gw.admin.cookie, body: { latitude: 10 } });
    assert.equal(half.status, 400, 'latitude without longitude');
    const asOperator = await gw.addUser('profile-op', 'operator', ['HARBOUR-*']);
    assert.equal((await gw.api('/api/camera-profiles', { cookie: asOperator.cookie })).status, 403);

    const forgotten = nextEvent(operator, 'zone:updated');
    assert.equal((await gw.api('/api/camera-profiles/HARBOUR-GATE-03', { method: 'DELETE', cookie: gw.admin.cookie })).status, 200);
    assert.deepEqual((await forgotten).removed, ['HARBOUR-GATE-03']);
    assert.equal((await gw.api('/api/camera-profiles/HARBOUR-GATE-03', { method: 'DELETE', cookie: gw.admin.cookie })).status, 404);
    const audited = (await gw.api('/api/audit?kind=camera.described', { cookie: gw.admin.cookie })).json.entries;
    assert.deepEqual(audited.map((e: { zone: string; detail: { removed?: boolean; name?: string } }) => [e.zone, e.detail.removed ?? e.detail.name]),
      [['HARBOUR-GATE-03', true], ['HARBOUR-GATE-03', 'Gate 3 north']]);
  });

  it('a camera node\'s thumbnail: only from the camera publishing the zone, a JPEG, not too often; served to those who may watch the zone', async () => {
    const camera = await gw.connect('camera');
    const other = await gw.connect('camera');
    clients.push(camera, other);
    await request(camera, 'camera:publish', { zone: 'THUMB-CAM-01', resumeToken: newResumeToken() });
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(600, 7), Buffer.from([0xff, 0xd9])]);
    assert.deepEqual(await request(camera, 'camera:thumbnail', { zone: 'THUMB-CAM-01', jpeg: jpeg.toString('base64') }), { ok: true });
    const served = await gw.api('/api/thumbnails/THUMB-CAM-01', { cookie: gw.admin.cookie });
    assert.deepEqual([served.status, served.headers['content-type'], Number(served.headers['content-length'])], [200, 'image/jpeg', jpeg.length]);
    assert.equal(served.headers['cache-control'], 'no-store');

    const code = async (socket: TestClient, zone: string, data: string) => ((await request(socket, 'camera:thumbnail', { zone, jpeg: data })) as { error?: { code: string } }).error?.code;
    assert.equal(await code(camera, 'THUMB-CAM-01', jpeg.toString('base64')), 'RATE_LIMITED', 'one per 2.5 s');
    assert.equal(await code(other, 'THUMB-CAM-01', jpeg.toString('base64')), 'NOT_PUBLISHING', 'only the camera publishing the zone');
    assert.equal(await code(camera, 'THUMB-CAM-02', jpeg.toString('base64')), 'NOT_PUBLISHING');
    assert.equal(await code(camera, 'THUMB-CAM-01', Buffer.from('<svg/>').toString('base64')), 'RATE_LIMITED', 'rate first: a flood costs no decoding');
    assert.equal(await code(camera, 'THUMB-CAM-01', 'not base64!'), 'PAYLOAD_INVALID');
    assert.equal(await code(camera, 'THUMB-CAM-01', 'A'.repeat(50_000)), 'PAYLOAD_INVALID', 'too big');

    // An operator may see the thumbnail of a zone it may watch; of any other, the same empty answer as for none.
    const granted = await gw.addUser('thumb-op', 'operator', ['THUMB-*']);
    const stranger = await gw.addUser('thumb-stranger', 'operator', ['ELSEWHERE-*']);
    assert.equal((await gw.api('/api/thumbnails/THUMB-CAM-01', { cookie: granted.cookie })).status, 200);
    assert.equal((await gw.api('/api/thumbnails/THUMB-CAM-01', { cookie: stranger.cookie })).status, 204);
    assert.equal((await gw.api('/api/thumbnails/THUMB-CAM-09', { cookie: granted.cookie })).status, 204);
    assert.equal((await gw.api('/api/thumbnails/THUMB-CAM-01')).status, 401, 'signed in only');
  });

  it('removes a zone nobody publishes or watches', async () => {
    const operator = await gw.connect('operator');
    clients.push(operator);
    await request(operator, 'zone:watch', { zone: 'TEMP-01' });
    await request(operator, 'zone:unwatch', { zone: 'TEMP-01' });
    await flush(operator);
    const list = await request(operator, 'zone:list', {});
    assert.ok(list.ok && !(list.zones as { zone: string }[]).some((z) => z.zone === 'TEMP-01'));
  });

  it('the event timeline: a camera coming and going, to those who may watch its zone only, and the recent events at connect', async () => {
    const operator = await gw.addUser('timeline-op', 'operator', ['TL-OPEN-*']);
    const socket = openSocket(gw.url, { role: 'operator', protocol: 1 }, { extraHeaders: { cookie: operator.cookie } });
    clients.push(socket);
    const log = recordEvents(socket);
    await nextEvent(socket, 'zone:directory');
    const camera = await gw.connect('camera');
    const hidden = await gw.connect('camera');
    clients.push(camera, hidden);
    await request(hidden, 'camera:publish', { zone: 'TL-SECRET-01', resumeToken: newResumeToken() });
    await request(camera, 'camera:publish', { zone: 'TL-OPEN-01', resumeToken: newResumeToken() });
    const online = await nextEvent(socket, 'timeline:events');
    assert.deepEqual(online.events.map((e) => [e.zone, e.kind]), [['TL-OPEN-01', 'camera.online']]);
    const offline = nextEvent(socket, 'timeline:events');
    camera.close();
    const [gone] = (await offline).events;
    assert.deepEqual([gone?.zone, gone?.kind, gone?.camera], ['TL-OPEN-01', 'camera.offline', 'test camera']);
    assert.ok(gone!.id > online.events[0]!.id && Date.parse(gone!.at) >= Date.parse(online.events[0]!.at));
    hidden.close();
    await flush(socket);
    const named = log.events.filter((e) => e.event === 'timeline:events').flatMap((e) => (e.payload as { events: { zone: string }[] }).events.map((x) => x.zone));
    assert.ok(!named.includes('TL-SECRET-01'), 'a zone outside its grants is never named, in the timeline either');
    // A console connecting later gets the recent events it may see.
    const late = openSocket(gw.url, { role: 'operator', protocol: 1 }, { extraHeaders: { cookie: operator.cookie } });
    clients.push(late);
    const recent = await nextEvent(late, 'timeline:events');
    assert.deepEqual(recent.events.map((e) => [e.zone, e.kind]), [['TL-OPEN-01', 'camera.online'], ['TL-OPEN-01', 'camera.offline']]);
  });
});
