import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerToClientEvents } from '../../shared/index.ts';
import { startRedis, type RedisServer } from '../../../test/support/redis.ts';
import { waitFor } from '../../../test/support/waitFor.ts';
import { createLogger } from '../observability/logger.ts';
import type { Participant } from '../zones/Participant.ts';
import { connectRedis, type RedisClient } from '../cluster/redisClient.ts';
import { RedisPresence, relayChannel, type ClusterRelayPlan, type RelayMessage } from './RedisPresence.ts';

type Sent = { event: keyof ServerToClientEvents; payload: unknown };
type Fake = Participant & { sent: Sent[] };

/** A participant that records what it is sent. */
function recorder(id: string, address = '127.0.0.1', userAgent = 'unit-test'): Fake {
  const sent: Sent[] = [];
  return { id, address, userAgent, sent, send: (event, ...args) => sent.push({ event, payload: args[0] }), evict: () => undefined };
}

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
    const fake = recorder(id);
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

/**
 * The media relay across nodes, against a real Redis: each node has a relay plan whose
 * participant records what it is told, and hears its own relay channel as Cluster does. A zone's
 * relay is on its camera's node; viewers anywhere are paired with it.
 */
describe('RedisPresence with the media relay', () => {
  let redis: RedisServer;
  const clients: RedisClient[] = [];
  const fakes = new Map<string, Fake>();
  let nodes = 0;

  const participant = (id: string): Fake => {
    const fake = recorder(id);
    fakes.set(id, fake);
    return fake;
  };
  const sentOf = (p: Fake, event: keyof ServerToClientEvents) => p.sent.filter((s) => s.event === event).map((s) => s.payload as { peerId: string; reason?: string });
  const peersOf = (p: Fake, event: keyof ServerToClientEvents) => sentOf(p, event).map((m) => m.peerId);

  interface RelayNode { presence: RedisPresence; relay: Fake; released: string[] }

  /** A node relaying zones with more than `relayAbove` viewers (0: every view). */
  async function node(prefix: string, relayAbove: number, switchMs = 60_000): Promise<RelayNode> {
    const client = await connectRedis(redis.url, () => undefined);
    const subscriber = client.duplicate();
    await subscriber.connect();
    clients.push(client, subscriber);
    const presence = new RedisPresence(client, `node-${(nodes += 1)}`, prefix, createLogger('silent'), (error) => { throw error; }, GRACE_MS);
    const relay = recorder('relay:Z', 'relay', 'vigil-relay');
    const released: string[] = [];
    const plan: ClusterRelayPlan = {
      relayAbove,
      wanted: (_zone, viewers) => viewers > relayAbove,
      participantFor: (zone) => { assert.equal(zone, 'Z'); return relay; },
      released: (zone) => released.push(zone),
      pinned: () => false,
    };
    presence.useRelay(plan, switchMs);
    presence.attach({ deliver: (sid, event, payload) => fakes.get(sid)?.sent.push({ event, payload }), evict: () => undefined });
    await subscriber.subscribe(`${prefix}changed`, (zone) => presence.zoneChanged(zone as never));
    await subscriber.subscribe(relayChannel(prefix, presence.nodeId), (message) => presence.relayMessage(JSON.parse(message) as RelayMessage));
    return { presence, relay, released };
  }

  const eventually = (condition: () => boolean | Promise<boolean>, what: string) => waitFor(condition, what, { timeoutMs: 3_000, everyMs: 10 });
  const relayHost = async (prefix: string): Promise<string | undefined> => (await clients[0]!.hGet(`${prefix}zone:Z`, 'relay')) ?? undefined;

  before(async () => { redis = await startRedis(); });
  after(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await redis?.stop();
  });

  it('auto: a third viewer counted over both nodes moves the zone to the relay on the camera\'s node, make before break', async () => {
    const [a, b] = [await node('r1:', 2, 300), await node('r1:', 2, 300)];
    const camera = participant('r1-cam');
    await a.presence.publish(camera, 'Z', token);
    const [v1, v2, v3] = [participant('r1-v1'), participant('r1-v2'), participant('r1-v3')];
    await a.presence.watch(v1, 'Z');
    assert.equal(await b.presence.watchCheck(v2, 'Z'), null);
    assert.equal(b.presence.pathFor('Z'), 'p2p', 'the second viewer is still served by the camera');
    await b.presence.watch(v2, 'Z');
    const [p2p1, p2p2] = peersOf(camera, 'viewer:joined');
    assert.equal(await b.presence.watchCheck(v3, 'Z'), null);
    assert.equal(b.presence.pathFor('Z'), 'relay', 'the third, on the other node, is counted with the first two');
    await b.presence.watch(v3, 'Z');

    assert.equal(await relayHost('r1:'), a.presence.nodeId, 'Redis names the camera\'s node as the relay\'s');
    const joined = peersOf(camera, 'viewer:joined');
    assert.equal(joined.length, 3, 'the camera got exactly one more connection: the relay');
    const ingest = joined[2]!;
    assert.deepEqual(await a.presence.route(camera, ingest as never), { ok: true, target: a.relay, zone: 'Z' });
    const relayPeers = peersOf(a.relay, 'viewer:joined');
    assert.equal(relayPeers.length, 3, 'the relay on A offers every viewer, on either node, its video');
    assert.deepEqual(b.relay.sent, [], 'B\'s relay holds nothing');
    for (const [i, viewer] of [v1, v2, v3].entries()) {
      const back = await a.presence.route(a.relay, relayPeers[i] as never);
      assert.ok(back.ok && back.target.id === viewer.id, `the relay's pairing ${i} reaches viewer ${i + 1}`);
    }
    // A viewer on B talks to the relay on A through A's channel.
    const fromB = await b.presence.route(v3, relayPeers[2] as never);
    assert.ok(fromB.ok && fromB.target.id === 'relay:Z');
    fromB.target.send('signal:answer', { peerId: relayPeers[2]!, sdp: 'v=0', zone: 'Z' });
    await eventually(() => a.relay.sent.some((s) => s.event === 'signal:answer'), 'the answer reaches the relay on A');
    // The old pairings still route until retired.
    assert.equal((await a.presence.route(camera, p2p1 as never)).ok, true);
    assert.deepEqual(await a.presence.retire(v1, p2p1 as never), { ok: true });
    assert.deepEqual(sentOf(camera, 'viewer:left').map((m) => m.peerId), [p2p1]);
    assert.equal((await a.presence.route(camera, p2p1 as never)).ok, false);
    assert.equal((await a.presence.retire(v1, relayPeers[0] as never)).ok, false, 'only a retiring pairing can be retired');
    // v2 never says: its old pairing closes after the switch time.
    await eventually(() => peersOf(camera, 'viewer:left').includes(p2p2!), 'the unretired pairing closes');
    assert.deepEqual(await a.presence.summaries(), [{ zone: 'Z', cameraOnline: true, viewers: 3 }], 'the relay is not counted as a viewer');
  });

  it('revocation ends the pairing at the relay; the last viewer out releases the relay and the camera\'s connection to it', async () => {
    const [a, b] = [await node('r2:', 0), await node('r2:', 0)];
    const camera = participant('r2-cam');
    await a.presence.publish(camera, 'Z', token);
    const [v1, v2] = [participant('r2-v1'), participant('r2-v2')];
    assert.equal(await b.presence.watchCheck(v1, 'Z'), null);
    assert.equal(b.presence.pathFor('Z'), 'relay', 'policy relay: even one viewer');
    await b.presence.watch(v1, 'Z');
    await b.presence.watch(v2, 'Z');
    const [ingest] = peersOf(camera, 'viewer:joined');
    assert.equal(peersOf(camera, 'viewer:joined').length, 1, 'the camera sends one stream: to the relay');
    assert.deepEqual(camera.sent.filter((m) => m.event === 'zone:audience').at(-1)?.payload, { zone: 'Z', viewers: 2, relayed: true }, 'the camera hears how many it serves through the relay');
    await eventually(() => peersOf(a.relay, 'viewer:joined').length === 2, 'the relay on A hears both viewers on B');
    const [r1, r2] = peersOf(a.relay, 'viewer:joined');
    await b.presence.unwatch(v1, 'Z', 'access_revoked');
    await eventually(() => sentOf(a.relay, 'viewer:left').length === 1, 'the relay is told');
    assert.deepEqual(sentOf(a.relay, 'viewer:left'), [{ zone: 'Z', peerId: r1, reason: 'access_revoked' }]);
    assert.deepEqual(a.released, []);
    await b.presence.leave(v2);
    await eventually(() => a.released.length === 1, 'the relay is released');
    assert.deepEqual(sentOf(a.relay, 'viewer:left').map((m) => m.peerId), [r1, r2, ingest]);
    assert.deepEqual(sentOf(camera, 'viewer:left').map((m) => m.peerId), [ingest], 'the camera closes its connection to the relay');
    assert.equal(await relayHost('r2:'), undefined, 'Redis no longer names a relay for the zone');
  });

  it('the camera\'s connection to the relay failed: every pairing is made again, and the relay lets the old ones go', async () => {
    const [a, b] = [await node('r4:', 0), await node('r4:', 0)];
    const camera = participant('r4-cam');
    await a.presence.publish(camera, 'Z', token);
    const [v1, v2] = [participant('r4-v1'), participant('r4-v2')];
    await a.presence.watch(v1, 'Z');
    await b.presence.watch(v2, 'Z');
    await eventually(() => peersOf(a.relay, 'viewer:joined').length === 2, 'the relay on A serves both viewers');
    const [ingest] = peersOf(camera, 'viewer:joined');
    const old = peersOf(a.relay, 'viewer:joined');
    await a.presence.resetRelay('Z');
    await eventually(() => peersOf(a.relay, 'viewer:joined').length === 4, 'the relay offers both viewers again');
    assert.deepEqual(peersOf(a.relay, 'viewer:left').sort(), [...old, ingest].sort(), 'the relay closes the old pairings, the camera\'s too');
    assert.deepEqual(peersOf(camera, 'viewer:left'), [ingest]);
    assert.equal(peersOf(camera, 'viewer:joined').length, 2, 'one new connection from the camera to the relay');
    for (const peer of [...old, ingest]) assert.equal((await a.presence.route(a.relay, peer as never)).ok, false, 'an old pairing routes nowhere');
    assert.deepEqual(b.relay.sent, [], 'B\'s relay holds nothing');
  });

  it('the camera\'s node dies: its relay goes with it, and when the camera is back on the other node the relay is there', async () => {
    const [a, b] = [await node('r3:', 0), await node('r3:', 0)];
    const camera = participant('r3-cam');
    await a.presence.publish(camera, 'Z', token);
    const viewer = participant('r3-v1');
    await b.presence.watch(viewer, 'Z');
    assert.equal(await relayHost('r3:'), a.presence.nodeId);
    // The sweep of a survivor, as Cluster runs it for a node whose heartbeat stopped.
    await b.presence.releaseRemote(camera.id);
    assert.deepEqual(sentOf(viewer, 'zone:state').at(-1), { zone: 'Z', state: 'waiting', reason: 'camera_left' });
    assert.equal(await relayHost('r3:'), '', 'still relayed, waiting for a camera to host it');
    const back = participant('r3-cam-back');
    await b.presence.publish(back, 'Z', token);
    assert.equal(await relayHost('r3:'), b.presence.nodeId, 'the relay moved with the camera');
    assert.equal(peersOf(back, 'viewer:joined').length, 1, 'one connection from the camera: to B\'s relay');
    const [again] = peersOf(b.relay, 'viewer:joined');
    const route = await b.presence.route(viewer, again as never);
    assert.ok(route.ok && route.target === b.relay, 'the viewer is paired with the relay on B');
  });
});
