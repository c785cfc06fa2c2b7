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
    assert.deepEqual(registry.publish(fresh, 'Z-1', token), { ok: true, zone: 'Z-1', replacedStaleSession: true });
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
