import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditEntries, handshakeRefusal } from '../support/access.ts';
import { openSocket } from '../support/clients.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const FORGED = '203.0.113.66';

/** What the audit trail says the address of a failed login and of a refused handshake was. */
async function recordedAddresses(gw: TestGateway): Promise<{ login: string; handshake: string }> {
  const login = await gw.api('/api/auth/login', { body: { username: 'admin', password: 'wrong-password-here' }, headers: { 'x-forwarded-for': FORGED } });
  assert.equal(login.status, 401);
  const socket = openSocket(gw.url, { role: 'camera', protocol: 1, apiKey: `vk_${'x'.repeat(43)}` }, { extraHeaders: { 'x-forwarded-for': FORGED } });
  assert.equal(await handshakeRefusal(socket), 'KEY_INVALID');
  socket.close();
  const [failure] = await auditEntries(gw, 'login.failure');
  const [denied] = await auditEntries(gw, 'connect.denied');
  return { login: (failure as unknown as { address: string }).address, handshake: (denied as unknown as { address: string }).address };
}

describe('client address behind a proxy', () => {
  let direct: TestGateway;
  let proxied: TestGateway;
  before(async () => {
    direct = await startGateway();
    proxied = await startGateway({ trustedProxies: ['127.0.0.0/8'] });
  });
  after(async () => {
    await direct?.close();
    await proxied?.close();
  });

  it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
    assert.deepEqual(await recordedAddresses(direct), { login: '127.0.0.1', handshake: '127.0.0.1' });
  });

  it('records the forwarded client address when the request comes through a trusted proxy', async () => {
    assert.deepEqual(await recordedAddresses(proxied), { login: FORGED, handshake: FORGED });
  });
});
