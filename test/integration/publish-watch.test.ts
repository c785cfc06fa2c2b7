import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect, flush, nextEvent, newResumeToken, recordEvents, request, type TestClient } from '../support/clients.ts';
import { gatewayPerFile } from '../support/gateway.ts';

describe('publish and watch', () => {
  const { open } = gatewayPerFile();

  it('tells the camera about each viewer by its own peer id', async () => {
    const camera = await open('camera');
    assert.deepEqual(await request(camera, 'camera:publish', { zone: 'CBD-TRAFFIC-01', resumeToken: newResumeToken() }),
      { ok: true, zone: 'CBD-TRAFFIC-01', replacedStaleSession: false, resumedPeers: [] });
    const first = await open('operator');
    const joinedFirst = nextEvent(camera, 'viewer:joined');
    assert.deepEqual(await request(first, 'zone:watch', { zone: 'CBD-TRAFFIC-01' }), { ok: true, zone: 'CBD-TRAFFIC-01', state: 'live', resumed: false });
    const second = await open('operator');
    const a = await joinedFirst;
    const joinedSecond = nextEvent(camera, 'viewer:joined');
    await request(second, 'zone:watch', { zone: 'CBD-TRAFFIC-01' });
    const b = await joinedSecond;
    assert.equal(a.zone, 'CBD-TRAFFIC-01');
    assert.notEqual(a.peerId, b.peerId);
    assert.match(a.peerId, /^[A-Za-z0-9_-]{16}$/);
  });

  it('lets a viewer arrive before the camera and goes live when it publishes', async () => {
    const viewer = await open('operator');
    assert.deepEqual(await request(viewer, 'zone:watch', { zone: 'PARK-WEST-02' }), { ok: true, zone: 'PARK-WEST-02', state: 'waiting', resumed: false });
    const camera = await open('camera');
    const joined = nextEvent(camera, 'viewer:joined');
    const live = nextEvent(viewer, 'zone:state');
    await request(camera, 'camera:publish', { zone: 'PARK-WEST-02', resumeToken: newResumeToken() });
    assert.deepEqual(await live, { zone: 'PARK-WEST-02', state: 'live' });
    assert.equal((await joined).zone, 'PARK-WEST-02');
  });

  it('tells every viewer when the camera leaves and reconnects them when it returns', async () => {
    const zone = 'HARBOUR-EAST-03';
    const camera = await open('camera');
    await request(camera, 'camera:publish', { zone, resumeToken: newResumeToken() });
    const viewers = [await open('operator'), await open('operator')];
    for (const v of viewers) await request(v, 'zone:watch', { zone });
    const offline = viewers.map((v) => nextEvent(v, 'zone:state'));
    camera.close();
    for (const state of await Promise.all(offline)) assert.deepEqual(state, { zone, state: 'waiting', reason: 'camera_left' });

    const back = await open('camera');
    const joins: string[] = [];
    back.on('viewer:joined', (m) => joins.push(m.peerId));
    const live = viewers.map((v) => nextEvent(v, 'zone:state'));
    await request(back, 'camera:publish', { zone, resumeToken: newResumeToken() });
    for (const state of await Promise.all(live)) assert.deepEqual(state, { zone, state: 'live' });
    await flush(back);
    assert.equal(joins.length, 2, 'the returning camera is told about both waiting viewers');
  });

  it('closes the viewer on the camera when the viewer leaves or unwatches', async () => {
    const zone = 'STATION-NORTH-05';
    const camera = await open('camera');
    await request(camera, 'camera:publish', { zone, resumeToken: newResumeToken() });
    const leaving = await open('operator');
    const joined1 = nextEvent(camera, 'viewer:joined');
    await request(leaving, 'zone:watch', { zone });
    const peer1 = (await joined1).peerId;
    const left1 = nextEvent(camera, 'viewer:left');
    leaving.close();
    assert.deepEqual(await left1, { zone, peerId: peer1, reason: 'viewer_left' });

    const unwatching = await open('operator');
    const joined2 = nextEvent(camera, 'viewer:joined');
    await request(unwatching, 'zone:watch', { zone });
    const peer2 = (await joined2).peerId;
    const left2 = nextEvent(camera, 'viewer:left');
    assert.deepEqual(await request(unwatching, 'zone:unwatch', { zone }), { ok: true });
    assert.deepEqual(await left2, { zone, peerId: peer2, reason: 'viewer_left' });
    assert.equal((await request(unwatching, 'zone:unwatch', { zone })).ok, false);
  });

  it('keeps a repeated watch idempotent: one peer, not two', async () => {
    const zone = 'DOCKS-01';
    const camera = await open('camera');
    await request(camera, 'camera:publish', { zone, resumeToken: newResumeToken() });
    const log = recordEvents(camera);
    const viewer = await open('operator');
    await request(viewer, 'zone:watch', { zone });
    assert.deepEqual(await request(viewer, 'zone:watch', { zone }), { ok: true, zone, state: 'live', resumed: false });
    await flush(camera);
    assert.equal(log.events.filter((e) => e.event === 'viewer:joined').length, 1);
  });

  it('lets one operator watch several zones and caps the wall at 16', async () => {
    const viewer = await open('operator');
    for (let i = 0; i < 16; i++) {
      const reply = await request(viewer, 'zone:watch', { zone: `WALL-${String(i).padStart(2, '0')}` });
      assert.equal(reply.ok, true);
    }
    const refused = await request(viewer, 'zone:watch', { zone: 'WALL-16' });
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.error.code, 'WATCH_LIMIT');
  });

  it('answers NOT_PUBLISHING and ALREADY_PUBLISHING', async () => {
    const camera = await open('camera');
    const notYet = await request(camera, 'camera:unpublish', { zone: 'NOWHERE-01' });
    assert.equal(!notYet.ok && notYet.error.code, 'NOT_PUBLISHING');
    await request(camera, 'camera:publish', { zone: 'LANE-01', resumeToken: newResumeToken() });
    const other = await request(camera, 'camera:publish', { zone: 'LANE-02', resumeToken: newResumeToken() });
    assert.equal(!other.ok && other.error.code, 'ALREADY_PUBLISHING');
    assert.deepEqual(await request(camera, 'camera:unpublish', { zone: 'LANE-01' }), { ok: true });
    assert.equal((await request(camera, 'camera:publish', { zone: 'LANE-02', resumeToken: newResumeToken() })).ok, true);
  });
});
