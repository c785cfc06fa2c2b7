import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { issueTurnCredentials } from './turnCredentials.ts';

describe('TURN REST credentials', () => {
  const now = Date.UTC(2026, 10, 24, 12, 0, 0);
  const issued = issueTurnCredentials({ secret: 'north-wind-secret', ttlSeconds: 3600, userId: 'u42', urls: ['turn:turn.city.example:3478'], now });
  const server = issued.iceServers[0]!;

  it('names the expiry in unix seconds and the user, and says when it expires', () => {
    assert.equal(server.username, `${now / 1000 + 3600}:u42`);
    assert.equal(issued.expiresAt, now + 3_600_000);
    assert.deepEqual(server.urls, ['turn:turn.city.example:3478']);
  });

  it('signs the username with HMAC-SHA1 of the shared secret, base64 (what coturn recomputes)', () => {
    assert.equal(server.credential, createHmac('sha1', 'north-wind-secret').update(server.username!).digest('base64'));
    const other = issueTurnCredentials({ secret: 'another-secret', ttlSeconds: 3600, userId: 'u42', urls: ['turn:x'], now }).iceServers[0]!;
    assert.notEqual(other.credential, server.credential);
  });

  it('cannot be steered by a user id containing the separator', () => {
    const tricky = issueTurnCredentials({ secret: 's', ttlSeconds: 60, userId: '9999999999:admin', urls: ['turn:x'], now }).iceServers[0]!;
    assert.equal(tricky.username!.split(':').length, 2);
    assert.equal(Number(tricky.username!.split(':')[0]), now / 1000 + 60);
  });
});
