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
    assert.equal(cameraLog.events.filter((e) => ['zone:directory', 'zone:updated'].includes(e.event)).length, 0, 'cameras are not sent the directory');
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
});
