import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServerToClientEvents } from '../../shared/index.ts';
import type { Participant } from './Participant.ts';
import { ZoneRegistry } from './ZoneRegistry.ts';

type Sent = { event: keyof ServerToClientEvents; payload: unknown };

function participant(id: string): Participant & { sent: Sent[]; evicted: string[] } {
  const sent: Sent[] = [];
  const evicted: string[] = [];
  return {
    id, address: '127.0.0.1', userAgent: 'unit-test', sent, evicted,
    send: (event, ...args) => sent.push({ event, payload: args[0] }),
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
