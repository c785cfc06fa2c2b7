import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { httpsGet } from '../support/http.ts';

describe('HTTP surface', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway(); });
  after(async () => { await gw.close(); });

  it('serves the built console and camera pages with strict security headers', async () => {
    assert.equal(gw.gateway.webBundle, true, 'run `npm run build` first: npm test does');
    for (const [path, title] of [['/', /<title>Vigil – Control Centre<\/title>/], ['/camera.html', /<title>Vigil – Camera node<\/title>/]] as const) {
      const page = await httpsGet(`${gw.url}${path}`, { cookie: gw.admin.cookie });
      assert.equal(page.status, 200, path);
      assert.match(page.body, title);
      const csp = String(page.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(String(page.headers['strict-transport-security']), /max-age=\d+/);
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      assert.doesNotMatch(page.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
      assert.doesNotMatch(page.body, /\sstyle=/, 'no inline style');
      assert.doesNotMatch(page.body, /https?:\/\/(?!www\.w3\.org)/, 'every asset from our own server');
    }
  });

  it('revalidates public pages, never stores protected ones, and caches hashed assets for good', async () => {
    assert.equal((await httpsGet(`${gw.url}/camera.html`)).headers['cache-control'], 'no-cache');
    const page = await httpsGet(`${gw.url}/`, { cookie: gw.admin.cookie });
    assert.equal(page.headers['cache-control'], 'no-store');
    const asset = page.body.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    assert.ok(asset, 'the console page loads a hashed script bundle');
    const script = await httpsGet(`${gw.url}${asset}`);
    assert.equal(script.status, 200);
    assert.equal(script.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  it('answers API refusals in the catalogue format: schema, role before schema, unknown routes', async () => {
    const short = await gw.api('/api/users', { body: { username: 'kim', password: 'short', role: 'operator' }, cookie: gw.admin.cookie });
    assert.equal(short.status, 400);
    assert.deepEqual(short.json.error, { code: 'PAYLOAD_INVALID', message: 'password: at least 12 characters' });
    const empty = await gw.api('/api/users/1', { method: 'PATCH', body: {}, cookie: gw.admin.cookie });
    assert.deepEqual(empty.json.error, { code: 'PAYLOAD_INVALID', message: 'request: nothing to change' });
    const badId = await gw.api('/api/grants/zero', { method: 'DELETE', cookie: gw.admin.cookie });
    assert.equal(badId.status, 400);
    assert.match(badId.json.error.message, /^id: /);
    const badQuery = await gw.api('/api/audit?limit=100000', { cookie: gw.admin.cookie });
    assert.equal(badQuery.json.error.code, 'PAYLOAD_INVALID');
    // Without a session the schema is never consulted: the answer does not depend on the body.
    const stranger = await gw.api('/api/users', { body: { nonsense: true } });
    assert.equal(stranger.status, 401);
    assert.equal(stranger.json.error.code, 'AUTH_REQUIRED');
    assert.equal(stranger.headers['cache-control'], 'no-store');
    for (const [method, path] of [['GET', '/api/nope'], ['POST', '/api/nope'], ['DELETE', '/api/users/1/extra']] as const) {
      const reply = await gw.api(path, { method, cookie: gw.admin.cookie, ...(method === 'POST' ? { body: {} } : {}) });
      assert.equal(reply.status, 404, `${method} ${path}`);
      assert.equal(reply.json?.error?.code, 'NOT_FOUND', `${method} ${path}`);
    }
    const page = await httpsGet(`${gw.url}/no-such-page.html`);
    assert.equal(page.status, 404);
    assert.equal(page.body, 'Not found\n', 'outside /api a 404 stays plain text');
  });

  it('answers health and readiness', async () => {
    assert.deepEqual(JSON.parse((await httpsGet(`${gw.url}/healthz`)).body), { status: 'ok' });
    assert.deepEqual(JSON.parse((await httpsGet(`${gw.url}/readyz`)).body), { status: 'ready' });
  });

  it('negotiates TLS 1.2 or newer only', async () => {
    const { connect } = await import('node:tls');
    const attempt = (maxVersion: 'TLSv1.1' | 'TLSv1.2') => new Promise<string>((resolve) => {
      // SECLEVEL=0 makes the client willing to speak TLS 1.1, so only the server can refuse it.
      const socket = connect({ host: '127.0.0.1', port: gw.port, rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion, ciphers: 'DEFAULT@SECLEVEL=0' });
      socket.once('secureConnect', () => { resolve(socket.getProtocol() ?? 'unknown'); socket.destroy(); });
      socket.once('error', () => resolve('refused'));
    });
    assert.equal(await attempt('TLSv1.1'), 'refused');
    assert.equal(await attempt('TLSv1.2'), 'TLSv1.2');
  });
});
