import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect, flush, nextEvent, newResumeToken, request, type TestClient } from '../support/clients.ts';
import { gatewayPerFile } from '../support/gateway.ts';

describe('one live camera per zone', () => {
  const { open } = gatewayPerFile();

  it('refuses a second camera with ZONE_BUSY and leaves the first untouched', async () => {
    const first = await open('camera');
    await request(first, 'camera:publish', { zone: 'BUSY-01', resumeToken: newResumeToken() });
    const second = await open('camera');
    const reply = await request(second, 'camera:publish', { zone: 'BUSY-01', resumeToken: newResumeToken() });
    assert.equal(reply.ok, false);
    assert.equal(!reply.ok && reply.error.code, 'ZONE_BUSY');
    assert.equal(first.connected, true);
    const viewer = await open('operator');
    const joined = nextEvent(first, 'viewer:joined');
    await request(viewer, 'zone:watch', { zone: 'BUSY-01' });
    assert.equal((await joined).zone, 'BUSY-01');
  });

  it('lets a camera that reconnects with its resume token take its own zone back', async () => {
    const token = newResumeToken();
    const stale = await open('camera');
    await request(stale, 'camera:publish', { zone: 'TAKEOVER-01', resumeToken: token });
    const viewer = await open('operator');
    const firstJoin = nextEvent(stale, 'viewer:joined');
    await request(viewer, 'zone:watch', { zone: 'TAKEOVER-01' });
    const oldPeer = (await firstJoin).peerId;

    // The old connection is still registered (its network dropped; no disconnect seen yet).
    const staleGone = new Promise<string>((resolve) => stale.once('disconnect', resolve));
    const fresh = await open('camera');
    const newJoin = nextEvent(fresh, 'viewer:joined');
    const live = nextEvent(viewer, 'zone:state');
    const reply = await request(fresh, 'camera:publish', { zone: 'TAKEOVER-01', resumeToken: token });
    assert.deepEqual(reply, { ok: true, zone: 'TAKEOVER-01', replacedStaleSession: true, resumedPeers: [] });
    assert.equal(await staleGone, 'io server disconnect');
    const { peerId } = await newJoin;
    assert.notEqual(peerId, oldPeer);
    assert.deepEqual(await live, { zone: 'TAKEOVER-01', state: 'live' });
    const staleRoute = await request(fresh, 'signal:offer', { peerId: oldPeer, sdp: 'v=0\r\n' });
    assert.equal(!staleRoute.ok && staleRoute.error.code, 'PEER_UNKNOWN');
    await flush(viewer);
  });

  it('frees the zone when its camera disconnects', async () => {
    const first = await open('camera');
    await request(first, 'camera:publish', { zone: 'FREED-01', resumeToken: newResumeToken() });
    first.close();
    const next = await open('camera');
    // The server may need a moment to see the close; retry on ZONE_BUSY only.
    let reply = await request(next, 'camera:publish', { zone: 'FREED-01', resumeToken: newResumeToken() });
    for (let i = 0; i < 20 && !reply.ok && reply.error.code === 'ZONE_BUSY'; i++) {
      await new Promise((r) => setImmediate(r));
      await flush(next);
      reply = await request(next, 'camera:publish', { zone: 'FREED-01', resumeToken: newResumeToken() });
    }
    assert.equal(reply.ok, true);
  });
});
