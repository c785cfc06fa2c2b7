import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditEntries } from '../support/access.ts';
import { connect, FAKE_OFFER, nextEvent, newResumeToken, request } from '../support/clients.ts';
import { startGateway, TEST_ADMIN_PASSWORD, type TestGateway } from '../support/gateway.ts';
import { httpsRequestTo } from '../support/http.ts';
import { startNginx, type Nginx } from '../support/nginx.ts';

function plainGet(port: number, path: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    }).on('error', reject).end();
  });
}

/** deploy/nginx.conf in Debian's nginx in front of one gateway (both upstream entries point at it). */
describe('deploy/nginx.conf in front of a gateway', () => {
  let gw: TestGateway;
  let nginx: Nginx;
  before(async () => {
    gw = await startGateway({ trustedProxies: ['127.0.0.1'] });
    nginx = await startNginx({ upstreamPorts: [gw.port, gw.port], cert: join(gw.dataDir, 'tls-cert.pem'), key: join(gw.dataDir, 'tls-key.pem') });
  });
  after(async () => {
    await nginx?.stop();
    await gw?.close();
  });
  const viaNginx = (path: string, options: Parameters<typeof httpsRequestTo>[1] = {}) =>
    httpsRequestTo(`${nginx.url}${path}`, { ...options, headers: { origin: nginx.url, ...options.headers } });

  it('redirects plain HTTP to HTTPS, path and query kept', async () => {
    const reply = await plainGet(nginx.httpPort, '/camera.html?zone=CBD-TRAFFIC-01');
    assert.equal(reply.status, 301);
    assert.equal(reply.location, 'https://127.0.0.1/camera.html?zone=CBD-TRAFFIC-01');
  });

  it('terminates TLS and passes the gateway\'s answers and security headers through, without its version', async () => {
    const reply = await viaNginx('/healthz');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json, { status: 'ok' });
    assert.equal(reply.headers.server, 'nginx');
    const page = await viaNginx('/login.html');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.match(String(page.headers['strict-transport-security']), /max-age=/);
  });

  it('upgrades WebSockets: a camera and an operator signal through nginx, cookies and origin check intact', async () => {
    const login = await viaNginx('/api/auth/login', { body: { username: 'admin', password: TEST_ADMIN_PASSWORD } });
    assert.equal(login.status, 200, login.body);
    const cookie = String([login.headers['set-cookie']].flat()[0]).split(';')[0]!;
    const apiKey = await gw.createCameraKey('CBD-*');
    const camera = await connect(nginx.url, 'camera', { auth: { role: 'camera', protocol: 1, apiKey } });
    const operator = await connect(nginx.url, 'operator', { extraHeaders: { cookie, origin: nginx.url } });
    try {
      await request(camera, 'camera:publish', { zone: 'CBD-TRAFFIC-01', resumeToken: newResumeToken() });
      const joined = nextEvent(camera, 'viewer:joined');
      await request(operator, 'zone:watch', { zone: 'CBD-TRAFFIC-01' });
      const { peerId } = await joined;
      const offer = nextEvent(operator, 'signal:offer');
      await request(camera, 'signal:offer', { peerId, sdp: FAKE_OFFER });
      assert.equal((await offer).peerId, peerId);
      assert.equal(camera.io.engine.transport.name, 'websocket');
    } finally {
      camera.close();
      operator.close();
    }
  });

  it('hands the gateway the client address, and a client cannot forge one through it', async () => {
    const forged = { 'x-forwarded-for': '203.0.113.9' };
    await viaNginx('/api/auth/login', { body: { username: 'admin', password: 'wrong-password-1' }, headers: forged });
    const [throughNginx] = await auditEntries(gw, 'login.failure');
    assert.equal((throughNginx as unknown as { address: string }).address, '127.0.0.1', 'nginx overwrote the forged header');
    // Control: the gateway does believe X-Forwarded-For from its trusted proxy.
    await gw.api('/api/auth/login', { body: { username: 'admin', password: 'wrong-password-2' }, headers: forged });
    const [direct] = await auditEntries(gw, 'login.failure');
    assert.equal((direct as unknown as { address: string }).address, '203.0.113.9');
  });

  it('refuses bodies over the limit before they reach a gateway', async () => {
    const reply = await viaNginx('/api/auth/login', { rawBody: 'x'.repeat(200 * 1024), headers: { 'content-type': 'application/json' } });
    assert.equal(reply.status, 413);
  });

  it('does not pass /metrics through: it would look like loopback to the node, which allows loopback', async () => {
    const direct = await gw.api('/metrics');
    assert.equal(direct.status, 200, 'the node itself serves its loopback scraper');
    const proxied = await viaNginx('/metrics');
    assert.equal(proxied.status, 404);
    assert.doesNotMatch(proxied.body, /vigil_/);
  });
});

describe('deploy/nginx.conf with two gateway nodes', () => {
  let a: TestGateway;
  let b: TestGateway;
  let nginx: Nginx;
  before(async () => {
    [a, b] = await Promise.all([startGateway(), startGateway()]);
    nginx = await startNginx({ upstreamPorts: [a.port, b.port], cert: join(a.dataDir, 'tls-cert.pem'), key: join(a.dataDir, 'tls-key.pem') });
  });
  after(async () => {
    await nginx?.stop();
    await Promise.all([a?.close(), b?.close()]);
  });

  it('spreads requests over both nodes and, when one dies, sends every request to the other', async () => {
    // Each node has its own store here, so its audit trail shows which requests it served (a
    // wrong password for an existing account is one entry each; unknown users would be summed up).
    for (let i = 0; i < 4; i += 1) {
      const reply = await httpsRequestTo(`${nginx.url}/api/auth/login`, { body: { username: 'admin', password: `wrong-password-${i}` }, headers: { origin: nginx.url } });
      assert.equal(reply.status, 401);
    }
    const served = await Promise.all([a, b].map(async (node) => (await auditEntries(node, 'login.failure')).length));
    assert.equal(served[0]! + served[1]!, 4);
    assert.ok(served[0]! >= 1 && served[1]! >= 1, `both nodes served requests: ${served}`);

    await a.close();
    for (let i = 0; i < 10; i += 1) {
      const reply = await httpsRequestTo(`${nginx.url}/healthz`);
      assert.equal(reply.status, 200, `request ${i} after node A died: ${reply.status}`);
    }
  });
});
