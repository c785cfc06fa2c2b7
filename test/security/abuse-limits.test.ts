import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { openSocket } from '../support/clients.ts';
import { assertServerUp, auditEntries, handshakeRefusal } from '../support/access.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

describe('abuse limits and HTTP hardening', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway(); });
  after(async () => { await gw.close(); });

  const login = (username: string, password: string, localAddress: string) =>
    gw.api('/api/auth/login', { body: { username, password }, localAddress });

  it('closes a connection that opens the transport but never completes the handshake, within 10 s', async () => {
    // A raw WebSocket speaks Engine.IO's open but never sends Socket.IO's CONNECT (no credentials at all).
    const started = Date.now();
    const raw = new WebSocket(`wss://127.0.0.1:${gw.port}/socket.io/?EIO=4&transport=websocket`, { rejectUnauthorized: false });
    const opened = new Promise<string>((resolve) => raw.once('message', (data) => resolve(String(data))));
    const closed = new Promise<number>((resolve) => raw.once('close', () => resolve(Date.now() - started)));
    assert.match(await opened, /^0\{"sid"/, 'the transport opened');
    const ms = await closed;
    assert.ok(ms >= 9_000 && ms <= 11_500, `closed ${ms} ms after opening`);
    await assertServerUp(gw);
  });

  it('a login flood from one address trips the limit; the real user still logs in from another address', async () => {
    const grace = await gw.addUser('grace', 'operator');
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) codes.push((await login('grace', 'wrong-password-guess', '127.0.0.2')).json.error.code);
    assert.deepEqual(codes.slice(0, 5), Array(5).fill('LOGIN_FAILED'));
    const limited = await login('grace', grace.password, '127.0.0.2');
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error.code, 'RATE_LIMITED');
    assert.ok(limited.json.error.retryAfterSeconds > 0);
    assert.match(limited.json.error.message, /try again in \d+ s/);
    assert.equal((await login('grace', grace.password, '127.0.0.3')).status, 200);
    assert.ok((await auditEntries(gw, 'login.failure')).some((e) => e.detail.reason === 'rate_limited'));
  });

  it('wrong passwords for one account from 20 addresses throttle that account only', async () => {
    const heidi = await gw.addUser('heidi', 'operator');
    const ivan = await gw.addUser('ivan', 'operator');
    for (let i = 0; i < 20; i++) await login('heidi', 'wrong-password-guess', `127.0.1.${i + 1}`);
    assert.equal((await login('heidi', heidi.password, '127.0.2.1')).json.error.code, 'RATE_LIMITED');
    assert.equal((await login('ivan', ivan.password, '127.0.2.1')).status, 200);
  });

  it('accepts 64-character passwords, refuses short ones, and never answers with a hash or secret', async () => {
    const long = 'p'.repeat(64);
    const created = await gw.api('/api/users', { body: { username: 'judy', password: long, role: 'operator' }, cookie: gw.admin.cookie });
    assert.equal(created.status, 201);
    assert.equal((await login('judy', long, '127.0.3.1')).status, 200);
    const short = await gw.api('/api/users', { body: { username: 'ken', password: 'short', role: 'operator' }, cookie: gw.admin.cookie });
    assert.equal(short.json.error.code, 'PAYLOAD_INVALID');
    const users = await gw.api('/api/users', { cookie: gw.admin.cookie });
    assert.doesNotMatch(users.body, /scrypt|password/i);
    assert.equal(users.headers['cache-control'], 'no-store');
  });

  it('guessing camera keys gets the address blocked', async () => {
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 12; i++) {
      const socket = openSocket(gw.url, { role: 'camera', protocol: 1, apiKey: `vk_guess${i}${'x'.repeat(36)}` });
      codes.push(await handshakeRefusal(socket));
      socket.close();
    }
    assert.deepEqual(codes.slice(0, 10), Array(10).fill('KEY_INVALID'));
    assert.equal(codes.at(-1), 'RATE_LIMITED');
    await assertServerUp(gw);
  });

  it('refuses cross-site writes: foreign Origin, non-JSON bodies; and malformed JSON with __proto__ keys', async () => {
    const foreign = await gw.api('/api/users', {
      body: { username: 'mallory', password: 'mallory-password-1', role: 'admin' }, cookie: gw.admin.cookie, headers: { origin: 'https://evil.example' },
    });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.json.error.code, 'ORIGIN_FORBIDDEN');
    const form = await gw.api('/api/users', {
      rawBody: 'username=mallory&password=mallory-password-1&role=admin', cookie: gw.admin.cookie,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 415);
    const polluted = await gw.api('/api/auth/login', { rawBody: '{"username":"admin","password":"x","__proto__":{"polluted":true}}', headers: { 'content-type': 'application/json' } });
    assert.equal(polluted.status, 400);
    assert.equal(polluted.json.error.code, 'PAYLOAD_INVALID');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const huge = await gw.api('/api/auth/login', { body: { username: 'admin', password: 'x'.repeat(100_000) } });
    assert.equal(huge.status, 413);
    assert.equal((await gw.api('/api/users', { cookie: gw.admin.cookie })).json.users.some((u: { username: string }) => u.username === 'mallory'), false);
  });

  it('protected pages redirect to the login page; the role decides which page opens', async () => {
    const anonymous = await gw.api('/admin.html');
    assert.equal(anonymous.status, 302);
    assert.equal(anonymous.headers.location, '/login.html?next=%2Fadmin.html');
    const operator = await gw.addUser('olive', 'operator');
    assert.equal((await gw.api('/admin.html', { cookie: operator.cookie })).headers.location, '/');
    const auditor = await gw.addUser('aaron', 'auditor');
    assert.equal((await gw.api('/', { cookie: auditor.cookie })).headers.location, '/audit.html');
    assert.equal((await gw.api('/api/users', { cookie: operator.cookie })).json.error.code, 'ROLE_FORBIDDEN');
    assert.equal((await gw.api('/login.html')).status, 200);
  });
});
