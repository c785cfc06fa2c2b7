import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerToClientEvents } from '../../shared/index.ts';
import { startRedis, type RedisServer } from '../../../test/support/redis.ts';
import { createLogger } from '../observability/logger.ts';
import type { Participant } from '../zones/Participant.ts';
import { connectRedis, type RedisClient } from '../cluster/redisClient.ts';
import { RedisPresence } from './RedisPresence.ts';

type Sent = { event: keyof ServerToClientEvents; payload: unknown };
type Fake = Participant & { sent: Sent[] };

const GRACE_MS = 400;
const token = 'A'.repeat(43);

/**
 * Resuming pairings across a node's shutdown, against a real Redis: two presences share one
 * prefix as two gateway nodes do, and a message to a connection of the other node is delivered
 * the way Socket.IO's adapter would. A node that shuts down leaves quietly (nobody is told), and
 * its camera or viewer comes back on the other node with the peer id it still plays.
 */
describe('RedisPresence: resuming pairings when a node shuts down', () => {
  let redis: RedisServer;
  const clients: RedisClient[] = [];
  const fakes = new Map<string, Fake>();
  let nodes = 0;

  const participant = (id: string): Fake => {
    const sent: Sent[] = [];
    const fake: Fake = { id, address: '127.0.0.1', userAgent: 'unit-test', sent, send: (event, ...args) => sent.push({ event, payload: args[0] }), evict: () => undefined };
    fakes.set(id, fake);
    return fake;
  };
  const sentOf = (p: Fake, event: keyof ServerToClientEvents) => p.sent.filter((s) => s.event === event).map((s) => s.payload);
  const firstPeer = (camera: Fake): string => {
    const joined = sentOf(camera, 'viewer:joined')[0] as { peerId: string } | undefined;
    assert.ok(joined, 'the camera was offered a viewer');
    return joined.peerId;
  };

  /** A node: its presence, subscribed to the zone-change channel as Cluster does. */
  async function node(prefix: string): Promise<RedisPresence> {
    const client = await connectRedis(redis.url, () => undefined);
    const subscriber = client.duplicate();
    await subscriber.connect();
    clients.push(client, subscriber);
    const presence = new RedisPresence(client, `node-${(nodes += 1)}`, prefix, createLogger('silent'), (error) => { throw error; }, GRACE_MS);
    presence.attach({ deliver: (sid, event, payload) => fakes.get(sid)?.sent.push({ event, payload }), evict: () => undefined });
    await subscriber.subscribe(`${prefix}changed`, (zone) => presence.zoneChanged(zone as never));
    return presence;
  }

  before(async () => { redis = await startRedis(); });
  after(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await redis?.stop();
  });

  it('the camera\'s node shuts down: the viewer is not told, and the camera resumes its peer on the other node with no offer', async () => {
    const [a, b] = [await node('t1:'), await node('t1:')];
    const camera = participant('cam-on-a');
    const viewer = participant('viewer-on-b');
    await a.publish(camera, 'Z-1', token);
    assert.deepEqual(await b.watch(viewer, 'Z-1'), { ok: true, zone: 'Z-1', state: 'live', resumed: false });
    const peerId = firstPeer(camera);
    await a.leave(camera, true);
    await a.close();
    assert.deepEqual(sentOf(viewer, 'zone:state'), [], 'a quiet leave tells the viewer nothing');

    const back = participant('cam-on-b');
    assert.deepEqual(await b.publish(back, 'Z-1', token, [peerId]), { ok: true, zone: 'Z-1', replacedStaleSession: false, resumedPeers: [peerId] });
    assert.deepEqual(sentOf(back, 'viewer:joined'), [], 'paired again: no new peer, no offer');
    assert.deepEqual(sentOf(viewer, 'zone:state'), [{ zone: 'Z-1', state: 'live' }]);
    assert.deepEqual(await b.route(back, peerId as never), { ok: true, target: viewer, zone: 'Z-1' });
    assert.deepEqual(await b.summaries(), [{ zone: 'Z-1', cameraOnline: true, viewers: 1 }]);
    await b.close();
  });

  it('the viewer\'s node shuts down: the camera is not told; the viewer claims the held peer on the other node', async () => {
    const [a, b] = [await node('t2:'), await node('t2:')];
    const camera = participant('cam-on-b2');
    const viewer = participant('viewer-on-a2');
    await b.publish(camera, 'Z-2', token);
    await a.watch(viewer, 'Z-2');
    const peerId = firstPeer(camera);
    await a.leave(viewer, true);
    await a.close();
    const back = participant('viewer-on-b2');
    assert.deepEqual(await b.watch(back, 'Z-2', peerId as never), { ok: true, zone: 'Z-2', state: 'live', resumed: true });
    assert.equal(sentOf(camera, 'viewer:joined').length, 1, 'no second offer');
    assert.deepEqual(sentOf(camera, 'viewer:left'), [], 'the camera never heard the viewer go');
    assert.deepEqual(await b.route(camera, peerId as never), { ok: true, target: back, zone: 'Z-2' });
    await b.close();
  });

  it('a held peer whose viewer does not come back within the grace is closed at the camera; a live one cannot be claimed', async () => {
    const [a, b] = [await node('t3:'), await node('t3:')];
    const camera = participant('cam-3');
    const viewer = participant('viewer-3');
    await b.publish(camera, 'Z-3', token);
    await a.watch(viewer, 'Z-3');
    const peerId = firstPeer(camera);
    const thief = participant('thief-3');
    assert.deepEqual(await b.watch(thief, 'Z-3', peerId as never), { ok: true, zone: 'Z-3', state: 'live', resumed: false }, 'a live pairing is not anyone\'s to take');
    await a.leave(viewer, true);
    await a.close();
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 300));
    assert.deepEqual(sentOf(camera, 'viewer:left'), [{ zone: 'Z-3', peerId, reason: 'viewer_left' }]);
    const late = participant('late-3');
    assert.deepEqual(await b.watch(late, 'Z-3', peerId as never), { ok: true, zone: 'Z-3', state: 'live', resumed: false });
    await b.close();
  });
});
