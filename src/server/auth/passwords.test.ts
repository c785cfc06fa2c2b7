import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from './passwords.ts';

describe('password hashing', () => {
  it('stores scrypt at OWASP\'s cost (N=2^15, r=8, p=3) with a 16-byte random salt, and verifies', async () => {
    const stored = await hashPassword('a-long-enough-password');
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    assert.deepEqual([scheme, Number(n), Number(r), Number(p)], ['scrypt', 2 ** 15, 8, 3]);
    assert.equal(Buffer.from(salt!, 'base64url').length, 16);
    // Recomputed independently: the hash is what those parameters give, nothing weaker.
    const again = scryptSync('a-long-enough-password', Buffer.from(salt!, 'base64url'), 32, { N: 2 ** 15, r: 8, p: 3, maxmem: 64 * 1024 * 1024 });
    assert.equal(again.toString('base64url'), hash);
    assert.notEqual(await hashPassword('a-long-enough-password'), stored, 'a new salt each time');
    assert.equal(await verifyPassword('a-long-enough-password', stored), true);
    assert.equal(await verifyPassword('a-long-enough-passwore', stored), false);
    assert.equal(await verifyPassword('a-long-enough-password', 'md5$x$y'), false, 'another scheme is never accepted');
  });
});
