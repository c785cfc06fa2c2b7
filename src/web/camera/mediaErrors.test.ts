import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mediaErrorFor, mediaSupportError } from './mediaErrors.ts';

const domError = (name: string) => new DOMException('message from the browser', name);

describe('mediaErrorFor', () => {
  it('reports a refused permission', () => {
    assert.equal(mediaErrorFor(domError('NotAllowedError')).code, 'CAMERA_PERMISSION_DENIED');
    assert.equal(mediaErrorFor(domError('SecurityError')).code, 'CAMERA_PERMISSION_DENIED');
    assert.match(mediaErrorFor(domError('NotAllowedError')).message, /permission was denied/);
  });

  it('reports a missing camera, including one the constraints cannot match', () => {
    assert.equal(mediaErrorFor(domError('NotFoundError')).code, 'CAMERA_NOT_FOUND');
    // OverconstrainedError is not a DOMException in every browser: match on the name alone.
    assert.equal(mediaErrorFor({ name: 'OverconstrainedError', constraint: 'deviceId' }).code, 'CAMERA_NOT_FOUND');
  });

  it('reports a camera held by another application', () => {
    assert.equal(mediaErrorFor(domError('NotReadableError')).code, 'CAMERA_IN_USE');
    assert.equal(mediaErrorFor(domError('TrackStartError')).code, 'CAMERA_IN_USE');
  });

  it('keeps the browser detail for anything else', () => {
    const unknown = mediaErrorFor(new TypeError('constraints must not be empty'));
    assert.equal(unknown.code, 'CAMERA_FAILED');
    assert.match(unknown.message, /TypeError: constraints must not be empty/);
    assert.equal(mediaErrorFor('weird').code, 'CAMERA_FAILED');
  });
});

describe('mediaSupportError', () => {
  const devices = { getUserMedia: async () => ({}) };

  it('refuses an insecure page or a browser without mediaDevices', () => {
    assert.equal(mediaSupportError(false, devices)?.code, 'INSECURE_CONTEXT');
    assert.equal(mediaSupportError(true, undefined)?.code, 'INSECURE_CONTEXT');
    assert.equal(mediaSupportError(true, {})?.code, 'INSECURE_CONTEXT');
  });

  it('accepts a secure page with getUserMedia', () => {
    assert.equal(mediaSupportError(true, devices), null);
  });
});
