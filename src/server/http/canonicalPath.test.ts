import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalPath } from './canonicalPath.ts';

describe('canonicalPath', () => {
  it('keeps the paths the gateway serves as they are', () => {
    for (const path of ['/', '/index.html', '/api/users/12', '/assets/common-Ab3_x.js', '/socket.io/', '/api/audit.csv']) {
      assert.equal(canonicalPath(path), path);
    }
  });

  it('resolves every other spelling of the same path to it', () => {
    assert.equal(canonicalPath('/%61dmin.html'), '/admin.html');
    assert.equal(canonicalPath('/admin%2Ehtml'), '/admin.html');
    assert.equal(canonicalPath('/%2e/admin.html'), '/admin.html');
    assert.equal(canonicalPath('//admin.html'), '/admin.html');
    assert.equal(canonicalPath('/x/../admin.html'), '/admin.html');
    assert.equal(canonicalPath('/../../admin.html'), '/admin.html');
    assert.equal(canonicalPath('/%61pi/users'), '/api/users');
    assert.equal(canonicalPath('/api%2Fusers'), '/api/users');
    assert.equal(canonicalPath('/api/./users'), '/api/users');
  });

  it('is a fixed point: the canonical spelling of a canonical path is itself', () => {
    for (const path of ['/a%20b', '/%3Fx', '/a:b', '/%25', '/%2561dmin.html']) {
      const once = canonicalPath(path)!;
      assert.equal(canonicalPath(once), once, path);
    }
    assert.equal(canonicalPath('/%2561dmin.html'), '/%2561dmin.html', 'decoded once only: %25 stays a percent sign');
  });

  it('refuses what cannot be decoded', () => {
    assert.equal(canonicalPath('/%zz'), null);
    assert.equal(canonicalPath('/a%00.html'), null);
    assert.equal(canonicalPath('/%E0%A4%A'), null);
  });
});
