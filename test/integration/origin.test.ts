import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, openSocket } from '../support/clients.ts';
import { auditEntries } from '../support/access.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { httpsGet, httpsRequestTo } from '../support/http.ts';

describe('origin policy for the signalling handshake', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway({ allowedOrigins: ['https://console.city.example'] }); });
  after(async () => { await gw.close(); });

  it('refuses a handshake from a foreign page even with a valid session cookie, and audits it', async () => {
    const socket = openSocket(gw.url, { role: 'operator' }, { extraHeaders: { Origin: 'https://evil.example', cookie: gw.admin.cookie } });
    const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    assert.ok(error);
    assert.equal(socket.connected, false);
    socket.close();
    const denied = (await auditEntries(gw, 'connect.denied')).filter((e) => e.detail.code === 'ORIGIN_FORBIDDEN');
    assert.equal(denied.length, 1);
    assert.equal(denied[0]!.detail.origin, 'https://evil.example');
  });

  it('refuses long-polling: every signalling session is one WebSocket', async () => {
    const reply = await httpsGet(`${gw.url}/socket.io/?EIO=4&transport=polling`, { Origin: gw.url, cookie: gw.admin.cookie });
    assert.equal(reply.status, 400);
    assert.match(reply.body, /Transport unknown/);
    const socket = openSocket(gw.url, { role: 'operator' }, { extraHeaders: { cookie: gw.admin.cookie }, transports: ['polling'] });
    await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    assert.equal(socket.connected, false);
    socket.close();
  });

  it('accepts the same origin and the configured allow-list', async () => {
    for (const origin of [gw.url, 'https://console.city.example']) {
      const socket = await gw.connect('operator', { extraHeaders: { Origin: origin } });
      assert.equal(socket.connected, true);
      socket.close();
    }
  });

  it('lets a page of the allow-list call the API with credentials, after a preflight', async () => {
    const allowed = 'https://console.city.example';
    const preflight = await httpsRequestTo(`${gw.url}/api/auth/login`, {
      method: 'OPTIONS', headers: { origin: allowed, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], allowed);
    assert.equal(preflight.headers['access-control-allow-credentials'], 'true');
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
    const me = await httpsRequestTo(`${gw.url}/api/auth/me`, { method: 'GET', headers: { origin: allowed, cookie: gw.admin.cookie } });
    assert.equal(me.status, 200);
    assert.equal(me.headers['access-control-allow-origin'], allowed);
    assert.match(String(me.headers.vary), /Origin/i, 'caches keep answers for different origins apart');
    const foreign = await httpsRequestTo(`${gw.url}/api/auth/login`, {
      method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
  });

  it('sends no CORS header to a foreign origin, least of all a wildcard', async () => {
    const reply = await httpsGet(`${gw.url}/socket.io/?EIO=4&transport=websocket`, { Origin: 'https://evil.example' });
    assert.ok(reply.status >= 400, `refused (${reply.status})`);
    assert.equal(reply.headers['access-control-allow-origin'], undefined);
    const page = await httpsGet(`${gw.url}/healthz`, { Origin: 'https://evil.example' });
    assert.equal(page.headers['access-control-allow-origin'], undefined);
  });
});
