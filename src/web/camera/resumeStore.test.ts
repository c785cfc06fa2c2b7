import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isZoneId } from '../../shared/index.ts';
import { forgetActiveSession, newResumeToken, readActiveSession, rememberActiveSession, resumeTokenFor } from './resumeStore.ts';

function memoryStore() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe('resume tokens', () => {
  it('are 43 base64url characters from 32 random bytes', () => {
    for (let i = 0; i < 50; i++) assert.match(newResumeToken(), /^[A-Za-z0-9_-]{43}$/);
    assert.equal(newResumeToken((bytes) => bytes.fill(0xff)), '_'.repeat(42) + '8');
  });

  it('are kept per zone, so a reload presents the same token', () => {
    const store = memoryStore();
    const first = resumeTokenFor('CBD-TRAFFIC-01', store);
    assert.equal(resumeTokenFor('CBD-TRAFFIC-01', store), first);
    assert.notEqual(resumeTokenFor('PARK-WEST-02', store), first);
  });

  it('replaces a stored value that is not a token', () => {
    const store = memoryStore();
    store.setItem('vigil.camera.resumeToken.CBD-TRAFFIC-01', 'tampered');
    assert.match(resumeTokenFor('CBD-TRAFFIC-01', store), /^[A-Za-z0-9_-]{43}$/);
  });
});

describe('active session', () => {
  it('round-trips and is forgotten', () => {
    const store = memoryStore();
    assert.equal(readActiveSession(isZoneId, store), null);
    rememberActiveSession({ zone: 'CBD-TRAFFIC-01', deviceId: '', preset: '720p30' }, store);
    assert.deepEqual(readActiveSession(isZoneId, store), { zone: 'CBD-TRAFFIC-01', deviceId: '', preset: '720p30' });
    forgetActiveSession(store);
    assert.equal(readActiveSession(isZoneId, store), null);
  });

  it('ignores malformed records', () => {
    const store = memoryStore();
    for (const bad of ['{', '"x"', '{"zone":"bad zone","deviceId":"","preset":"720p30"}', '{"zone":"A","deviceId":"","preset":"4k"}']) {
      store.setItem('vigil.camera.activeSession', bad);
      assert.equal(readActiveSession(isZoneId, store), null, bad);
    }
  });
});
