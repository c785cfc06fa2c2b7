import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { openSocket, request } from '../support/clients.ts';
import { assertServerUp, auditEntries, endedBy, handshakeRefusal } from '../support/access.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const operatorSocket = (gw: TestGateway, cookie?: string) =>
  openSocket(gw.url, { role: 'operator', protocol: 1 }, cookie ? { extraHeaders: { cookie } } : {});

describe('sessions: authentication, expiry and revocation bite live sockets', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway(); });
  after(async () => { await gw.close(); });

  it('sets a __Host- cookie that is Secure, HttpOnly and SameSite=Strict, with a new id at every login', async () => {
    const first = await gw.api('/api/auth/login', { body: { username: 'admin', password: gw.admin.password } });
    const setCookie = String([first.headers['set-cookie']].flat()[0]);
    assert.match(setCookie, /^__Host-vigil_sid=[A-Za-z0-9_-]{43};/);
    for (const attribute of [/; Secure/i, /; HttpOnly/i, /; SameSite=Strict/i, /; Path=\//]) assert.match(setCookie, attribute);
    assert.doesNotMatch(setCookie, /Domain=/i);
    const second = await gw.login('admin', gw.admin.password);
    assert.notEqual(second, setCookie.split(';')[0]);
    assert.equal(JSON.stringify(first.json).includes('passwordHash'), false);
  });

  it('refuses a handshake with no cookie, a forged one or a bit-flipped one, and audits each', async () => {
    const token = gw.admin.cookie.split('=')[1]!;
    const flipped = `${token.slice(0, -1)}${token.at(-1) === 'A' ? 'B' : 'A'}`;
    const cases = [undefined, `__Host-vigil_sid=${randomBytes(32).toString('base64url')}`, `__Host-vigil_sid=${flipped}`, `vigil_sid=${token}`];
    const before = (await auditEntries(gw, 'connect.denied')).length;
    for (const cookie of cases) {
      const socket = operatorSocket(gw, cookie);
      const events: string[] = [];
      socket.onAny((event: string) => events.push(event));
      assert.equal(await handshakeRefusal(socket), 'AUTH_REQUIRED', String(cookie));
      assert.deepEqual(events, [], 'nothing about any zone is sent');
      socket.close();
    }
    // Refusals with no valid credential: the first of the address is written, the rest summed up in one row.
    assert.equal((await auditEntries(gw, 'connect.denied')).length - before, 1);
    await gw.gateway.audit.flush();
    const [summary] = await auditEntries(gw, 'connect.denied');
    assert.deepEqual([summary!.detail.code, summary!.detail.repeated], ['AUTH_REQUIRED', cases.length - 1]);
    await assertServerUp(gw);
  });

  it('an admin revoking a session closes its live socket within a second; the cookie is refused afterwards', async () => {
    const alice = await gw.addUser('alice', 'operator', ['CBD-*']);
    const socket = await gw.connect('operator', { cookie: alice.cookie });
    const sessions = (await gw.api('/api/sessions', { cookie: gw.admin.cookie })).json.sessions as { id: number; username: string; sockets: number }[];
    const target = sessions.find((s) => s.username === 'alice')!;
    assert.equal(target.sockets, 1);
    const ended = endedBy(socket);
    assert.equal((await gw.api(`/api/sessions/${target.id}`, { method: 'DELETE', cookie: gw.admin.cookie })).status, 200);
    const { code, ms, disconnected } = await ended;
    assert.equal(code, 'SESSION_REVOKED');
    assert.ok(ms <= 1_000, `cut after ${ms} ms`);
    await disconnected;
    assert.equal(await handshakeRefusal(operatorSocket(gw, alice.cookie)), 'SESSION_REVOKED');
    assert.equal((await gw.api('/api/auth/me', { cookie: alice.cookie })).json.error.code, 'SESSION_REVOKED');
    assert.ok((await auditEntries(gw, 'session.revoked')).some((e) => e.detail.user === 'alice'));
  });

  it('logout, a password change and a disabled account each end every socket of the session', async () => {
    const bob = await gw.addUser('bob', 'operator', ['CBD-*']);
    let socket = await gw.connect('operator', { cookie: bob.cookie });
    let ended = endedBy(socket);
    assert.equal((await gw.api('/api/auth/logout', { body: {}, cookie: bob.cookie })).status, 200);
    assert.equal((await ended).code, 'SESSION_REVOKED');

    let cookie = await gw.login('bob', bob.password);
    socket = await gw.connect('operator', { cookie });
    ended = endedBy(socket);
    await gw.api(`/api/users/${bob.id}`, { method: 'PATCH', body: { password: 'a-brand-new-password' }, cookie: gw.admin.cookie });
    assert.equal((await ended).code, 'SESSION_REVOKED');

    cookie = await gw.login('bob', 'a-brand-new-password');
    socket = await gw.connect('operator', { cookie });
    ended = endedBy(socket);
    await gw.api(`/api/users/${bob.id}`, { method: 'PATCH', body: { disabled: true }, cookie: gw.admin.cookie });
    assert.equal((await ended).code, 'SESSION_REVOKED');
    const login = await gw.api('/api/auth/login', { body: { username: 'bob', password: 'a-brand-new-password' } });
    assert.equal(login.json.error.code, 'LOGIN_FAILED');
  });

  it('never takes a credential from the URL: a session token or camera key in the query is refused', async () => {
    const token = gw.admin.cookie.split('=')[1]!;
    const key = await gw.createCameraKey('*', 'query key');
    const operator = openSocket(gw.url, { role: 'operator', protocol: 1 }, { query: { token, session: token, __Host_vigil_sid: token } });
    assert.equal(await handshakeRefusal(operator), 'AUTH_REQUIRED');
    operator.close();
    const camera = openSocket(gw.url, { role: 'camera', protocol: 1 }, { query: { apiKey: key, key } });
    assert.equal(await handshakeRefusal(camera), 'AUTH_REQUIRED');
    camera.close();
    const api = await gw.api(`/api/auth/me?token=${token}&session=${token}`);
    assert.equal(api.status, 401);
    assert.ok((await auditEntries(gw, 'connect.denied')).some((e) => e.detail.code === 'AUTH_REQUIRED'));
    await assertServerUp(gw);
  });

  it('refuses the signalling handshake to an auditor: no video for that role', async () => {
    const carol = await gw.addUser('carol', 'auditor');
    assert.equal(await handshakeRefusal(operatorSocket(gw, carol.cookie)), 'ROLE_FORBIDDEN');
    assert.equal((await gw.api('/api/audit?limit=1', { cookie: carol.cookie })).status, 200);
    assert.equal((await gw.api('/api/users', { cookie: carol.cookie })).json.error.code, 'ROLE_FORBIDDEN');
  });

  it('a session changed from another process (the CLI) is cut through the change counter', async () => {
    const dave = await gw.addUser('dave', 'operator', ['CBD-*']);
    const socket = await gw.connect('operator', { cookie: dave.cookie });
    const ended = endedBy(socket);
    // What `vigil user disable` does, straight on the store.
    await gw.gateway.store.users.update(dave.id, { disabled: true });
    await gw.gateway.store.bumpChangeSeq();
    const { code, ms } = await ended;
    assert.equal(code, 'SESSION_REVOKED');
    assert.ok(ms <= 1_000, `cut after ${ms} ms`);
    assert.equal((await request(await gw.connect('operator'), 'zone:list', {})).ok, true);
  });
});

describe('sessions: lifetime', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway({ session: { lifetimeHours: 2 / 3600 } }); });
  after(async () => { await gw.close(); });

  it('an expiring session disconnects its live socket at once, and is refused afterwards', async () => {
    const cookie = await gw.login('admin', gw.admin.password);
    const socket = await gw.connect('operator', { cookie });
    const { code, ms } = await endedBy(socket);
    assert.equal(code, 'SESSION_EXPIRED');
    assert.ok(ms <= 2_600, `ended ${ms} ms after connect`);
    assert.equal(await handshakeRefusal(operatorSocket(gw, cookie)), 'SESSION_EXPIRED');
  });
});

describe('sessions: idle timeout', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway({ session: { idleMinutes: 1 } }); });
  after(async () => { await gw.close(); });

  // The gateway's clock is passed in: a minute of idleness without waiting a minute.
  it('ends a session with no request for the idle timeout; one in use within it goes on', async () => {
    const { auth } = gw.gateway;
    const client = { address: '127.0.0.1', userAgent: 'idle-test' };
    const idle = await auth.login('admin', gw.admin.password, client);
    const used = await auth.login('admin', gw.admin.password, client);
    assert.ok(idle.ok && used.ok);
    const start = idle.session.lastSeenAt;
    assert.equal((await auth.authenticate(idle.token, start + 59_000)).ok, true, 'within the minute');
    assert.equal((await auth.authenticate(used.token, start + 45_000)).ok, true, 'used after 45 s: its idle clock restarts');
    const later = start + 59_000 + 61_000;
    const refused = await auth.authenticate(idle.token, later);
    assert.equal(!refused.ok && refused.error.code, 'SESSION_EXPIRED', 'idle for 61 s since its last request');
    assert.equal((await auth.authenticate(used.token, start + 45_000 + 59_000)).ok, true, 'used 59 s ago');
  });
});
