import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertServerUp } from '../support/access.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

/**
 * Every request is checked on the same path the router and the static files resolve: encoded
 * letters, encoded dots and slashes, dot segments and doubled slashes name the same resource, so
 * they must meet the same Origin check and the same session as the plain spelling.
 */
const API_SPELLINGS = ['/%61pi/users', '/api/%75sers', '/api%2Fusers', '/api%2fusers', '//api/users', '/./api/users', '/x/../api/users', '/api/./users', '/%2e/api/users'];
const PAGE_SPELLINGS = {
  '/admin.html': ['/%61dmin.html', '/admin%2Ehtml', '/admin%2ehtml', '//admin.html', '/./admin.html', '/x/../admin.html', '/%2e/admin.html', '/%2E%2E/admin.html', '/assets/..%2Fadmin.html'],
  '/audit.html': ['/%61udit.html', '//audit.html', '/./audit.html'],
  '/index.html': ['/%69ndex.html', '/index%2Ehtml', '//index.html', '/./index.html'],
};

describe('one normalised path for every check', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway(); });
  after(async () => { await gw.close(); });

  it('refuses a state-changing API call from a foreign Origin under every spelling of its path', async () => {
    for (const rawPath of API_SPELLINGS) {
      const reply = await gw.api('/', {
        rawPath, body: { username: 'mallory', password: 'mallory-password-1', role: 'admin' },
        cookie: gw.admin.cookie, headers: { origin: 'https://evil.example' },
      });
      assert.ok([400, 403].includes(reply.status), `${rawPath}: ${reply.status} ${reply.body}`);
      assert.ok(['ORIGIN_FORBIDDEN', 'PAYLOAD_INVALID'].includes(reply.json?.error?.code), rawPath);
    }
    // A foreign Origin is refused on any path at all, not only under /api/.
    const elsewhere = await gw.api('/anything', { body: {}, cookie: gw.admin.cookie, headers: { origin: 'https://evil.example' } });
    assert.equal(elsewhere.json.error.code, 'ORIGIN_FORBIDDEN');
    const users = await gw.api('/api/users', { cookie: gw.admin.cookie });
    assert.equal(users.json.users.some((u: { username: string }) => u.username === 'mallory'), false, 'no spelling created the account');
    await assertServerUp(gw);
  });

  it('serves no protected page without a session, whatever the spelling; each is sent to its one spelling', async () => {
    for (const [page, spellings] of Object.entries(PAGE_SPELLINGS)) {
      for (const rawPath of spellings) {
        const reply = await gw.api('/', { rawPath });
        assert.doesNotMatch(reply.body, /<html/i, `${rawPath} sent a page without a session`);
        if (reply.status === 301) assert.equal(reply.headers.location, page, rawPath);
        else assert.ok([400, 404].includes(reply.status), `${rawPath}: ${reply.status}`);
      }
    }
    // The one spelling: to the sign-in page.
    assert.equal((await gw.api('/admin.html')).headers.location, '/login.html?next=%2Fadmin.html');
  });

  it('keeps an operator out of the admin page under every spelling', async () => {
    const operator = await gw.addUser('oscar', 'operator');
    for (const rawPath of PAGE_SPELLINGS['/admin.html']) {
      const reply = await gw.api('/', { rawPath, cookie: operator.cookie });
      assert.doesNotMatch(reply.body, /<html/i, rawPath);
    }
    assert.equal((await gw.api('/admin.html', { cookie: operator.cookie })).headers.location, '/');
  });

  it('answers a path that cannot be decoded with PAYLOAD_INVALID, and the API route under an encoded spelling is not run', async () => {
    const broken = await gw.api('/', { rawPath: '/%zz' });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error.code, 'PAYLOAD_INVALID');
    const encodedGet = await gw.api('/', { rawPath: '/%61pi/users', cookie: gw.admin.cookie });
    assert.equal(encodedGet.status, 301);
    assert.equal(encodedGet.headers.location, '/api/users');
    assert.doesNotMatch(encodedGet.body, /username/);
  });
});
