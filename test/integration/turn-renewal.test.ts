import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nextEvent, openSocket } from '../support/clients.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

describe('TURN credentials handed to clients', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway({ turn: { urls: ['turn:127.0.0.1:3478'], secret: 'a-secret-of-enough-length', ttlSeconds: 10 } }); });
  after(async () => { await gw.close(); });

  // Renewal itself is proven on a moved clock (src/server/signalling/Connection.test.ts), not by waiting.
  it('each authenticated connection gets its own expiring credential; never the secret', async () => {
    const socket = openSocket(gw.url, { role: 'operator', protocol: 1 }, { extraHeaders: { cookie: gw.admin.cookie } });
    const ready = await nextEvent(socket, 'session:ready');
    const turn = ready.iceServers.find((s) => [s.urls].flat().some((u) => u.startsWith('turn:')))!;
    assert.match(turn.username!, /^\d+:u\d+$/);
    assert.ok(ready.iceServersExpireAt! > Date.now() && ready.iceServersExpireAt! <= Date.now() + 10_000);
    assert.equal(JSON.stringify(ready).includes('a-secret-of-enough-length'), false);
    socket.close();
  });

  it('gives no ICE servers at all before authentication', async () => {
    const socket = openSocket(gw.url, { role: 'operator', protocol: 1 });
    const events: string[] = [];
    socket.onAny((event: string) => events.push(event));
    await new Promise((resolve) => socket.once('connect_error', resolve));
    assert.deepEqual(events, []);
    socket.close();
  });
});
