import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServerToClientEvents } from '../../shared/index.ts';
import type { Participant } from './Participant.ts';
import { ZoneRegistry } from './ZoneRegistry.ts';

type Sent = { event: keyof ServerToClientEvents; payload: unknown };

/** `sent` is the signalling; the camera's audience counts are kept apart in `audience`. */
function participant(id: string): Participant & { sent: Sent[]; evicted: string[]; audience: unknown[] } {
  const sent: Sent[] = [];
  const evicted: string[] = [];
  const audience: unknown[] = [];
  return {
    id, address: '127.0.0.1', userAgent: 'unit-test', sent, evicted, audience,
    send: (event, ...args) => (event === 'zone:audience' ? audience.push(args[0]) : sent.push({ event, payload: args[0] })),
    evict: (reason) => evicted.push(reason),
  };
}
const token = 'A'.repeat(43);
const newRegistry = () => new ZoneRegistry((error) => { throw error; });

describe('ZoneRegistry', () => {
  it('pairs each viewer with the camera and routes only between the two ends', () => {
    const registry = newRegistry();
    const camera = participant('c');
    const viewer = participant('v');
    const stranger = participant('s');
    registry.publish(camera, 'Z-1', token);
    registry.watch(viewer, 'Z-1');
    const { peerId } = camera.sent[0]!.payload as { peerId: string };
    assert.deepEqual(registry.route(camera, peerId), { ok: true, target: viewer, zone: 'Z-1' });
    assert.deepEqual(registry.route(viewer, peerId), { ok: true, target: camera, zone: 'Z-1' });
    assert.equal(registry.route(stranger, peerId).ok, false);
  });

  it('releases everything on leave, and leave is idempotent', () => {
    const registry = newRegistry();
    const camera = participant('c');
    const viewer = participant('v');
    registry.publish(camera, 'Z-1', token);
    registry.watch(viewer, 'Z-1');
    registry.watch(viewer, 'Z-2');
    registry.leave(viewer);
    registry.leave(viewer);
    assert.equal(registry.peerCount, 0);
    assert.deepEqual(registry.summaries(), [{ zone: 'Z-1', cameraOnline: true, viewers: 0 }]);
    assert.equal(camera.sent.filter((s) => s.event === 'viewer:left').length, 1);
    registry.leave(camera);
    registry.leave(camera);
    assert.deepEqual(registry.summaries(), []);
  });

  it('keeps working when an observer throws', () => {
    const errors: unknown[] = [];
    const registry = new ZoneRegistry((error) => errors.push(error));
    registry.events.on('changed', () => { throw new Error('observer bug'); });
    let seen = 0;
    registry.events.on('changed', () => { seen += 1; });
    assert.equal(registry.publish(participant('c'), 'Z-1', token).ok, true);
    assert.equal(seen, 1);
    assert.equal(errors.length, 1);
  });

  it('replaces a stale camera session that presents the same resume token', () => {
    const registry = newRegistry();
    const stale = participant('old');
    const fresh = participant('new');
    const viewer = participant('v');
    registry.publish(stale, 'Z-1', token);
    registry.watch(viewer, 'Z-1');
    assert.deepEqual(registry.publish(fresh, 'Z-1', token), { ok: true, zone: 'Z-1', replacedStaleSession: true, resumedPeers: [] });
    assert.equal(stale.evicted.length, 1);
    assert.equal(fresh.sent.filter((s) => s.event === 'viewer:joined').length, 1);
    assert.equal(registry.peerCount, 1);
    registry.leave(stale); // its disconnect arrives later and must not touch the new session
    assert.deepEqual(registry.summaries(), [{ zone: 'Z-1', cameraOnline: true, viewers: 1 }]);
  });

  it('replaces a stale camera in a zone nobody watches', () => {
    const registry = newRegistry();
    registry.publish(participant('old'), 'Z-1', token);
    const fresh = participant('new');
    assert.equal(registry.publish(fresh, 'Z-1', token).ok, true);
    assert.deepEqual(registry.summaries(), [{ zone: 'Z-1', cameraOnline: true, viewers: 0 }]);
  });
});

/**
 * A gateway restart (or a signalling blip) with video flowing peer to peer: both ends come back
 * to a registry that knows nothing, and each offers the peer ids it still has a connection for.
 * Peer ids are 96-bit secrets only the two ends know, so presenting one is the proof of the pairing.
 */
describe('ZoneRegistry: resuming pairings after a restart', () => {
  const GRACE_MS = 1_000;
  const withGrace = () => new ZoneRegistry((error) => { throw error; }, { resumeGraceMs: GRACE_MS });
  const peerOf = (camera: ReturnType<typeof participant>) => (camera.sent.find((s) => s.event === 'viewer:joined')!.payload as { peerId: string }).peerId;
  const sentOf = (p: ReturnType<typeof participant>, event: keyof ServerToClientEvents) => p.sent.filter((s) => s.event === event);

  /** Camera and viewer paired in a registry that then dies quietly; returns the peer id they share. */
  function pairedThenRestarted(): string {
    const before = withGrace();
    const camera = participant('c0');
    const viewer = participant('v0');
    before.publish(camera, 'Z-1', token);
    before.watch(viewer, 'Z-1');
    const peerId = peerOf(camera);
    before.leave(viewer, true);
    before.leave(camera, true);
    assert.equal(sentOf(camera, 'viewer:left').length, 0, 'a quiet leave tells the camera nothing');
    assert.equal(sentOf(viewer, 'zone:state').length, 0, 'nor the viewer');
    before.close();
    return peerId;
  }

  it('camera back first: its peer is held, and the viewer that claims it is paired again with no offer', () => {
    const peerId = pairedThenRestarted();
    const registry = withGrace();
    const camera = participant('c1');
    const viewer = participant('v1');
    assert.deepEqual(registry.publish(camera, 'Z-1', token, [peerId]), { ok: true, zone: 'Z-1', replacedStaleSession: false, resumedPeers: [peerId] });
    assert.deepEqual(registry.watch(viewer, 'Z-1', peerId), { ok: true, zone: 'Z-1', state: 'live', resumed: true });
    assert.equal(sentOf(camera, 'viewer:joined').length, 0, 'no new peer: the camera makes no offer');
    assert.deepEqual(registry.route(viewer, peerId), { ok: true, target: camera, zone: 'Z-1' });
    assert.deepEqual(registry.summaries(), [{ zone: 'Z-1', cameraOnline: true, viewers: 1 }]);
    registry.close();
  });

  it('viewer back first: its claim waits, and the camera\'s publish pairs it again with no offer', () => {
    const peerId = pairedThenRestarted();
    const registry = withGrace();
    const camera = participant('c1');
    const viewer = participant('v1');
    assert.deepEqual(registry.watch(viewer, 'Z-1', peerId), { ok: true, zone: 'Z-1', state: 'waiting', resumed: false });
    assert.deepEqual(registry.publish(camera, 'Z-1', token, [peerId]).ok && registry.route(camera, peerId), { ok: true, target: viewer, zone: 'Z-1' });
    assert.equal(sentOf(camera, 'viewer:joined').length, 0);
    assert.deepEqual(sentOf(viewer, 'zone:state').map((s) => s.payload), [{ zone: 'Z-1', state: 'live' }]);
    registry.close();
  });

  it('a held peer nobody claims within the grace is closed at the camera; a late claim gets a new peer', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const peerId = pairedThenRestarted();
    const registry = withGrace();
    const camera = participant('c1');
    registry.publish(camera, 'Z-1', token, [peerId]);
    t.mock.timers.tick(GRACE_MS - 1);
    assert.equal(sentOf(camera, 'viewer:left').length, 0);
    t.mock.timers.tick(1);
    assert.deepEqual(sentOf(camera, 'viewer:left').map((s) => s.payload), [{ zone: 'Z-1', peerId, reason: 'viewer_left' }]);
    const late = participant('v1');
    assert.deepEqual(registry.watch(late, 'Z-1', peerId), { ok: true, zone: 'Z-1', state: 'live', resumed: false });
    assert.notEqual(peerOf(camera), peerId, 'the late viewer is offered a new peer');
    registry.close();
  });

  it('a peer id is no key to someone else\'s pairing: unknown, live or claimed twice, it gets a new peer', () => {
    const registry = withGrace();
    const camera = participant('c');
    const owner = participant('owner');
    registry.publish(camera, 'Z-1', token);
    registry.watch(owner, 'Z-1');
    const live = peerOf(camera);
    const thief = participant('thief');
    // A live pairing cannot be claimed: the thief gets its own peer and the owner keeps routing.
    assert.deepEqual(registry.watch(thief, 'Z-1', live), { ok: true, zone: 'Z-1', state: 'live', resumed: false });
    assert.deepEqual(registry.route(owner, live), { ok: true, target: camera, zone: 'Z-1' });
    assert.equal(registry.route(thief, live).ok, false);
    // A camera cannot adopt a live peer id either.
    const other = participant('c2');
    assert.deepEqual(registry.publish(other, 'Z-2', 'B'.repeat(43), [live]), { ok: true, zone: 'Z-2', replacedStaleSession: false, resumedPeers: [] });
    // Two viewers waiting with the same claim: the first is paired, the second gets a new peer.
    const peerId = pairedThenRestarted();
    const fresh = withGrace();
    const first = participant('v1');
    const second = participant('v2');
    const back = participant('c3');
    fresh.watch(first, 'Z-1', peerId);
    fresh.watch(second, 'Z-1', peerId);
    fresh.publish(back, 'Z-1', token, [peerId]);
    assert.deepEqual(fresh.route(first, peerId), { ok: true, target: back, zone: 'Z-1' });
    assert.equal(sentOf(back, 'viewer:joined').length, 1, 'the second viewer is offered a new peer');
    registry.close();
    fresh.close();
  });

  it('a camera that resumes none of its peers gives every waiting viewer a new one, as before', () => {
    const peerId = pairedThenRestarted();
    const registry = withGrace();
    const viewer = participant('v1');
    registry.watch(viewer, 'Z-1', peerId);
    const camera = participant('c1');
    assert.deepEqual(registry.publish(camera, 'Z-1', token), { ok: true, zone: 'Z-1', replacedStaleSession: false, resumedPeers: [] });
    assert.notEqual(peerOf(camera), peerId);
    registry.close();
  });
});

describe('ZoneRegistry with the media relay', () => {
  /** `auto` with two viewers peer to peer; the relay's participant records what it is sent. */
  function relayed(switchMs = 60_000, pinned = new Set<string>()) {
    const relay = participant('relay:Z-1');
    const released: string[] = [];
    const registry = new ZoneRegistry((error) => { throw error; }, {
      relaySwitchMs: switchMs,
      relay: { wanted: (_zone, viewers) => viewers > 2, participantFor: () => relay, released: (zone) => released.push(zone), pinned: (zone) => pinned.has(zone) },
    });
    return { registry, relay, released };
  }
  const peersOf = (p: { sent: Sent[] }, event: keyof ServerToClientEvents) =>
    p.sent.filter((s) => s.event === event).map((s) => (s.payload as { peerId: string }).peerId);

  it('a third viewer moves the zone to the relay: the camera gets one connection to it, every viewer one from it, and the old ones stay until retired', () => {
    const { registry, relay } = relayed();
    const camera = participant('c');
    const viewers = [participant('v1'), participant('v2'), participant('v3')];
    registry.publish(camera, 'Z-1', token);
    registry.watch(viewers[0]!, 'Z-1');
    registry.watch(viewers[1]!, 'Z-1');
    const [p2p1, p2p2] = peersOf(camera, 'viewer:joined');
    assert.equal(registry.relayed('Z-1'), false);

    registry.watch(viewers[2]!, 'Z-1');
    assert.equal(registry.relayed('Z-1'), true);
    const cameraPeers = peersOf(camera, 'viewer:joined');
    assert.equal(cameraPeers.length, 3, 'the camera got exactly one more connection: the relay');
    const ingest = cameraPeers[2]!;
    assert.deepEqual(registry.route(camera, ingest), { ok: true, target: relay, zone: 'Z-1' });
    const relayPeers = peersOf(relay, 'viewer:joined');
    assert.equal(relayPeers.length, 3, 'the relay offers every viewer its video');
    for (const [i, viewer] of viewers.entries()) assert.deepEqual(registry.route(relay, relayPeers[i]!), { ok: true, target: viewer, zone: 'Z-1' });
    // Make before break: the peer-to-peer pairings still route until each viewer retires them.
    assert.equal(registry.route(viewers[0]!, p2p1!).ok, true);
    assert.equal(registry.retire(viewers[0]!, p2p1!).ok, true);
    assert.equal(registry.route(viewers[0]!, p2p1!).ok, false);
    assert.deepEqual(peersOf(camera, 'viewer:left'), [p2p1]);
    // Only one's own retiring peer can be closed this way.
    assert.equal(registry.retire(viewers[0]!, p2p2!).ok, false);
    assert.equal(registry.retire(viewers[0]!, relayPeers[0]!).ok, false);
    assert.deepEqual(registry.summaries(), [{ zone: 'Z-1', cameraOnline: true, viewers: 3 }], 'the relay is not counted as a viewer');
    // The camera hears its audience: it serves one connection, the gateway counts three operators.
    assert.deepEqual(camera.audience, [
      { zone: 'Z-1', viewers: 0, relayed: false },
      { zone: 'Z-1', viewers: 1, relayed: false },
      { zone: 'Z-1', viewers: 2, relayed: false },
      { zone: 'Z-1', viewers: 3, relayed: true },
    ]);
    registry.leave(viewers[2]!);
    assert.deepEqual(camera.audience.at(-1), { zone: 'Z-1', viewers: 2, relayed: true }, 'the zone stays on the relay');
  });

  it('a recorded zone\'s camera goes through the relay with no viewer; turned on live, its viewers move make before break; off, the relay goes with the last viewer', () => {
    const pinned = new Set(['Z-1']);
    const { registry, relay, released } = relayed(60_000, pinned);
    const camera = participant('c');
    registry.publish(camera, 'Z-1', token);
    assert.equal(registry.relayed('Z-1'), true, 'seated through the relay at once');
    assert.equal(peersOf(camera, 'viewer:joined').length, 1, 'its one connection: to the relay');
    assert.equal(registry.pathFor('Z-1'), 'relay');
    const viewer = participant('v1');
    registry.watch(viewer, 'Z-1');
    registry.leave(viewer);
    assert.equal(registry.relayed('Z-1'), true, 'kept with no viewer: it records');
    pinned.delete('Z-1');
    registry.repin('Z-1');
    assert.equal(registry.relayed('Z-1'), false, 'no viewer, not recorded: the relay goes');
    assert.deepEqual(released, ['Z-1']);

    // Turned on while a viewer watches peer to peer: it moves to the relay, its old pairing kept until retired.
    const second = participant('v2');
    registry.watch(second, 'Z-1');
    const p2p = peersOf(camera, 'viewer:joined').at(-1)!;
    assert.deepEqual(registry.route(second, p2p), { ok: true, target: camera, zone: 'Z-1' });
    pinned.add('Z-1');
    registry.repin('Z-1');
    assert.equal(registry.relayed('Z-1'), true);
    assert.equal(peersOf(relay, 'viewer:joined').length, 2, 'the relay offers the viewer its video');
    assert.equal(registry.route(second, p2p).ok, true, 'make before break');
    assert.deepEqual(camera.audience.at(-1), { zone: 'Z-1', viewers: 1, relayed: true }, 'the camera is told it sends through the relay');
    // Off while watched: the viewer stays on the relay until it leaves.
    pinned.delete('Z-1');
    registry.repin('Z-1');
    assert.equal(registry.relayed('Z-1'), true);
    registry.leave(second);
    assert.equal(registry.relayed('Z-1'), false);
  });

  it('a retiring connection the console never retires is closed after the switch time', async () => {
    const { registry } = relayed(30);
    const camera = participant('c');
    registry.publish(camera, 'Z-1', token);
    for (const id of ['v1', 'v2', 'v3']) registry.watch(participant(id), 'Z-1');
    const [p2p1, p2p2] = peersOf(camera, 'viewer:joined');
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(peersOf(camera, 'viewer:left').sort(), [p2p1, p2p2].sort());
  });

  it('revocation and leaving close the relay connection at the relay; the last viewer out releases the relay and the camera\'s connection to it', () => {
    const { registry, relay, released } = relayed();
    const camera = participant('c');
    const viewers = [participant('v1'), participant('v2'), participant('v3')];
    registry.publish(camera, 'Z-1', token);
    for (const viewer of viewers) registry.watch(viewer, 'Z-1');
    const relayPeers = peersOf(relay, 'viewer:joined');
    const ingest = peersOf(camera, 'viewer:joined')[2]!;
    registry.unwatch(viewers[0]!, 'Z-1', 'access_revoked');
    assert.deepEqual(relay.sent.filter((s) => s.event === 'viewer:left').map((s) => s.payload), [{ zone: 'Z-1', peerId: relayPeers[0], reason: 'access_revoked' }]);
    registry.leave(viewers[1]!);
    registry.leave(viewers[2]!);
    assert.equal(registry.relayed('Z-1'), false);
    assert.deepEqual(released, ['Z-1']);
    assert.ok(peersOf(camera, 'viewer:left').includes(ingest), 'the camera closes its connection to the relay');
    assert.ok(peersOf(relay, 'viewer:left').includes(ingest), 'and so does the relay');
    assert.equal(registry.peerCount, 0);
  });

  it('a camera that leaves a relayed zone ends the relay\'s connections; when it returns they are made again from the relay', () => {
    const { registry, relay } = relayed();
    const camera = participant('c');
    const viewers = [participant('v1'), participant('v2'), participant('v3')];
    registry.publish(camera, 'Z-1', token);
    for (const viewer of viewers) registry.watch(viewer, 'Z-1');
    registry.leave(camera);
    assert.equal(peersOf(relay, 'viewer:left').length, 4, 'three viewers and the ingest close at the relay');
    const back = participant('c2');
    registry.publish(back, 'Z-1', token);
    assert.equal(peersOf(back, 'viewer:joined').length, 1, 'the returning camera sends one stream: to the relay');
    assert.equal(peersOf(relay, 'viewer:joined').length, 6);
  });

  it('after the relay lost its connections, the camera and every viewer are paired with it again', () => {
    const { registry, relay } = relayed();
    const camera = participant('c');
    registry.publish(camera, 'Z-1', token);
    for (const id of ['v1', 'v2', 'v3']) registry.watch(participant(id), 'Z-1');
    const before = peersOf(relay, 'viewer:joined');
    registry.resetRelay('Z-1');
    const after = peersOf(relay, 'viewer:joined').slice(before.length);
    assert.equal(after.length, 3);
    for (const peerId of before) assert.equal(registry.route(relay, peerId).ok, false, 'the dead connections route nowhere');
    assert.equal(peersOf(camera, 'viewer:joined').length, 4, 'one new connection from the camera to the relay');
    // A relay that lost only the camera's connection still holds the viewers' old ones: it lets them go.
    const ingest = peersOf(camera, 'viewer:joined')[2]!;
    assert.deepEqual(peersOf(relay, 'viewer:left').sort(), [...before, ingest].sort());
    assert.deepEqual(peersOf(camera, 'viewer:left'), [ingest]);
  });
});
