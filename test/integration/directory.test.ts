import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, nextEvent, newResumeToken, recordEvents, request, flush, type TestClient } from '../support/clients.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import type { ZoneListResult } from '../../src/shared/index.ts';

describe('live zone directory', () => {
  let gw: TestGateway;
  const clients: TestClient[] = [];
  before(async () => { gw = await startGateway(); });
  after(async () => { clients.forEach((c) => c.close()); await gw.close(); });

  it('sends the directory at connect and pushes camera and viewer changes to operators', async () => {
    const operator = await connect(gw.url, 'operator');
    clients.push(operator);
    const camera = await connect(gw.url, 'camera');
    clients.push(camera);
    const cameraLog = recordEvents(camera);

    const directories: ZoneListResult[] = [];
    operator.on('zone:directory', (d) => directories.push(d));
    const published = nextEvent(operator, 'zone:directory');
    await request(camera, 'camera:publish', { zone: 'CBD-TRAFFIC-01', resumeToken: newResumeToken() });
    assert.deepEqual(await published, { zones: [{ zone: 'CBD-TRAFFIC-01', cameraOnline: true, viewers: 0 }] });

    const watched = nextEvent(operator, 'zone:directory');
    await request(operator, 'zone:watch', { zone: 'CBD-TRAFFIC-01' });
    await request(operator, 'zone:watch', { zone: 'PARK-WEST-02' });
    // Both changes are coalesced into one push.
    assert.deepEqual(await watched, {
      zones: [
        { zone: 'CBD-TRAFFIC-01', cameraOnline: true, viewers: 1 },
        { zone: 'PARK-WEST-02', cameraOnline: false, viewers: 1 },
      ],
    });
    assert.deepEqual(await request(operator, 'zone:list', {}), { ok: true, zones: (await watched).zones });

    const gone = nextEvent(operator, 'zone:directory');
    camera.close();
    assert.deepEqual((await gone).zones[0], { zone: 'CBD-TRAFFIC-01', cameraOnline: false, viewers: 1 });
    assert.equal(cameraLog.events.filter((e) => e.event === 'zone:directory').length, 0, 'cameras are not sent the directory');
  });

  it('removes a zone nobody publishes or watches', async () => {
    const operator = await connect(gw.url, 'operator');
    clients.push(operator);
    await request(operator, 'zone:watch', { zone: 'TEMP-01' });
    await request(operator, 'zone:unwatch', { zone: 'TEMP-01' });
    await flush(operator);
    const list = await request(operator, 'zone:list', {});
    assert.ok(list.ok && !(list.zones as { zone: string }[]).some((z) => z.zone === 'TEMP-01'));
  });
});
