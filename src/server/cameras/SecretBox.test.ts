import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { SecretBox } from './SecretBox.ts';

it('seals a password so that only this key, for this purpose, opens it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-secret-'));
  const box = SecretBox.open(dir, {});
  const sealed = box.seal('s3cret pass', 'camera:7');
  assert.ok(!sealed.includes('s3cret'));
  assert.notEqual(box.seal('s3cret pass', 'camera:7'), sealed, 'a fresh IV each time');
  assert.equal(box.open(sealed, 'camera:7'), 's3cret pass');
  assert.throws(() => box.open(sealed, 'camera:8'), 'bound to its purpose');
  const [format, iv, tag, body] = sealed.split('.');
  const flipped = Buffer.from(body!, 'base64url');
  flipped[0]! ^= 1;
  assert.throws(() => box.open([format, iv, tag, flipped.toString('base64url')].join('.'), 'camera:7'), 'tampering is caught');
  assert.throws(() => SecretBox.fromKey(Buffer.alloc(32, 1)).open(sealed, 'camera:7'), 'another key opens nothing');
  // The same directory gives the same key again, kept readable by the gateway's user only.
  assert.equal(SecretBox.open(dir, {}).open(sealed, 'camera:7'), 's3cret pass');
  assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600);
  assert.equal(Buffer.from(readFileSync(join(dir, 'secret.key'), 'utf8'), 'base64').length, 32);
});

it('takes the key from VIGIL_SECRET_KEY when given, and refuses one of the wrong size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-secret-'));
  const key = Buffer.alloc(32, 7).toString('base64');
  const sealed = SecretBox.open(dir, { VIGIL_SECRET_KEY: key }).seal('x', 'p');
  assert.equal(SecretBox.fromKey(Buffer.alloc(32, 7)).open(sealed, 'p'), 'x');
  assert.throws(() => SecretBox.open(dir, { VIGIL_SECRET_KEY: Buffer.alloc(16).toString('base64') }), /32 bytes/);
});
