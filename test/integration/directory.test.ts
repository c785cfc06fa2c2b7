import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, nextEvent, openSocket, newResumeToken, recordEvents, request, flush, type TestClient } from '../support/clients.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

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
    assert.deepEqual(await published, { zones: [{ zone: 'CBD-TRAFFIC-01', cameraOnline: true, viewers: 0 }], removed: [] });

    const watched = nextEvent(operator, 'zone:updated');
    await request(operator, 'zone:watch', { zone: 'CBD-TRAFFIC-01' });
    await request(operator, 'zone:watch', { zone: 'PARK-WEST-02' });
    // Both changes are coalesced into one push.
    assert.deepEqual(await watched, {
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
    assert.deepEqual(await gone, { zones: [{ zone: 'CBD-TRAFFIC-01', cameraOnline: false, viewers: 1 }], removed: [] });
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
    assert.deepEqual([gone?.zone, gone?.kind, gone?.camera], ['TL-OPEN-01', 'camera.offline', null]);
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
