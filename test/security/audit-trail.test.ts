import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { nextEvent, newResumeToken, request } from '../support/clients.ts';
import { auditEntries } from '../support/access.ts';
import { startGateway, TEST_ADMIN_PASSWORD, type TestGateway } from '../support/gateway.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function cliVerify(dataDir: string): { status: number | null; out: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/server/cli/vigil.ts'), 'audit', 'verify', '--data-dir', dataDir], { encoding: 'utf8' });
  return { status: result.status, out: result.stdout + result.stderr };
}

describe('audit trail: hash chain, tamper detection, export, retention', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway(); });
  after(async () => { await gw.close(); });

  it('records a view with who, zone, address, user agent and duration, and the chain verifies', async () => {
    const camera = await gw.connect('camera');
    await request(camera, 'camera:publish', { zone: 'CBD-AUDIT-01', resumeToken: newResumeToken() });
    const operator = await gw.connect('operator', { extraHeaders: { 'user-agent': '=cmd|calc' } });
    assert.equal((await request(operator, 'zone:watch', { zone: 'CBD-AUDIT-01' })).ok, true);
    assert.equal((await request(operator, 'zone:unwatch', { zone: 'CBD-AUDIT-01' })).ok, true);
    await new Promise((r) => setTimeout(r, 50));
    const ended = (await auditEntries(gw, 'view.ended')).find((e) => e.zone === 'CBD-AUDIT-01')!;
    assert.equal(ended.actor, 'admin');
    assert.equal(typeof ended.detail.durationMs, 'number');
    assert.equal(ended.detail.reason, 'requested');
    const full = (await gw.api('/api/audit?kind=view.started&limit=1', { cookie: gw.admin.cookie })).json.entries[0];
    assert.equal(full.address, '127.0.0.1');
    assert.equal(full.userAgent, '=cmd|calc');
    const verify = await gw.api('/api/audit/verify', { cookie: gw.admin.cookie });
    assert.equal(verify.json.ok, true);
    camera.close();
    operator.close();
  });

  it('stores control characters encoded and exports CSV with formulas neutralised', async () => {
    await gw.api('/api/keys', { body: { label: 'Gate\u001b[31m 1\nforged line', zonePattern: 'CBD-*' }, cookie: gw.admin.cookie });
    const created = (await auditEntries(gw, 'key.created')).find((e) => String(e.detail.label).startsWith('Gate'));
    assert.equal(created?.detail.label, 'Gate\\u001b[31m 1\\u000aforged line');
    const csv = await gw.api('/api/audit.csv?kind=view.started', { cookie: gw.admin.cookie });
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.match(csv.body, /,"'=cmd\|calc",/);
    assert.doesNotMatch(csv.body, /(^|,)"[=+@-]/m);
    assert.doesNotMatch(csv.body, /vk_[A-Za-z0-9_-]{20}/, 'the key secret is never in the trail');
  });

  it('records every change to people, grants, keys and sessions, and logout, with who did it; filters by zone and time', async () => {
    const since = new Date().toISOString();
    const asAdmin = { cookie: gw.admin.cookie };
    const created = await gw.api('/api/users', { ...asAdmin, body: { username: 'ursula', password: 'ursula-has-a-long-password', role: 'operator' } });
    assert.equal(created.status, 201, created.body);
    const userId = created.json.user.id as number;
    assert.equal((await gw.api(`/api/users/${userId}`, { ...asAdmin, method: 'PATCH', body: { role: 'auditor' } })).status, 200);
    const grantId = await gw.grant(userId, 'CBD-*');
    await gw.revokeGrant(grantId);
    const key = await gw.api('/api/keys', { ...asAdmin, body: { label: 'Gate 9', zonePattern: 'CBD-*' } });
    assert.equal((await gw.api(`/api/keys/${key.json.key.id}`, { ...asAdmin, method: 'DELETE' })).status, 200);
    await gw.login('admin', TEST_ADMIN_PASSWORD);
    const sessions = (await gw.api('/api/sessions', asAdmin)).json.sessions as { id: number }[];
    const newest = Math.max(...sessions.map((session) => session.id));
    const revoked = await gw.api(`/api/sessions/${newest}`, { ...asAdmin, method: 'DELETE' });
    assert.equal(revoked.status, 200, revoked.body);
    const other = await gw.login('admin', TEST_ADMIN_PASSWORD);
    assert.equal((await gw.api('/api/auth/logout', { cookie: other, body: {} })).status, 200);

    const byAdmin = async (kind: string) => (await auditEntries(gw, kind)).filter((e) => e.actor === 'admin');
    for (const kind of ['user.created', 'user.updated', 'grant.created', 'grant.removed', 'key.created', 'key.revoked', 'session.revoked', 'logout']) {
      assert.ok((await byAdmin(kind)).length > 0, `${kind} is in the trail with the admin as actor`);
    }
    assert.ok((await auditEntries(gw, 'grant.created')).some((e) => e.detail.pattern === 'CBD-*' || JSON.stringify(e.detail).includes('CBD-*')));

    // Filters: a zone, and a time range that ends before these changes.
    const zoned = await gw.api('/api/audit?zone=CBD-AUDIT-01&limit=500', asAdmin);
    assert.ok(zoned.json.entries.length > 0 && zoned.json.entries.every((e: { zone: string }) => e.zone === 'CBD-AUDIT-01'));
    const window = await gw.api(`/api/audit?from=${encodeURIComponent(since)}&limit=500`, asAdmin);
    assert.ok(window.json.entries.every((e: { at: string }) => e.at >= since));
    assert.ok(window.json.entries.some((e: { kind: string }) => e.kind === 'key.revoked'));
    const before = await gw.api(`/api/audit?to=${encodeURIComponent(since)}&limit=500`, asAdmin);
    assert.ok(before.json.entries.every((e: { at: string }) => e.at <= since));
    assert.ok(!before.json.entries.some((e: { kind: string }) => e.kind === 'key.revoked'), 'nothing from after the range');
  });

  it('vigil audit verify detects an edited entry and a deleted one', async () => {
    assert.equal(cliVerify(gw.dataDir).status, 0);
    const db = new Database(join(gw.dataDir, 'vigil.db'));
    try {
      const row = db.prepare('SELECT id, actor FROM audit WHERE kind = ? LIMIT 1').get('login.success') as { id: number; actor: string };
      db.prepare('UPDATE audit SET actor = ? WHERE id = ?').run('someone-else', row.id);
      const edited = cliVerify(gw.dataDir);
      assert.equal(edited.status, 1);
      assert.match(edited.out, new RegExp(`BROKEN at entry ${row.id}: content does not match`));
      db.prepare('UPDATE audit SET actor = ? WHERE id = ?').run(row.actor, row.id);
      assert.equal(cliVerify(gw.dataDir).status, 0);
      const middle = db.prepare('SELECT id FROM audit ORDER BY id LIMIT 1 OFFSET 3').pluck().get() as number;
      db.prepare('DELETE FROM audit WHERE id = ?').run(middle);
      const deleted = cliVerify(gw.dataDir);
      assert.equal(deleted.status, 1);
      assert.match(deleted.out, new RegExp(`entry ${middle} is missing`));
      assert.equal((await gw.api('/api/audit/verify', { cookie: gw.admin.cookie })).json.ok, false);
    } finally {
      db.close();
    }
  });
});

describe('audit trail: retention and crashes', () => {
  it('pruning leaves an anchor and a verifiable chain; moving the anchor is detected', async () => {
    const gw = await startGateway();
    try {
      for (let i = 0; i < 3; i++) await gw.login('admin', TEST_ADMIN_PASSWORD);
      const removed = await gw.gateway.audit.prune(1, Date.now() + 2 * 86_400_000);
      assert.ok(removed >= 4);
      assert.deepEqual(await gw.gateway.audit.verify(), { ok: true, checked: 1, firstBadId: null, reason: null });
      const db = new Database(join(gw.dataDir, 'vigil.db'));
      db.prepare('UPDATE audit_anchor SET last_id = last_id - 1').run();
      db.close();
      assert.equal((await gw.gateway.audit.verify()).ok, false);
    } finally {
      await gw.close();
    }
  });

  it('kill -9 during a view leaves a verifiable trail; the open view is closed with server_crash at next start', async () => {
    const first = await startGateway();
    const dataDir = first.dataDir;
    const key = await first.createCameraKey('*');
    await first.gateway.close(); // the in-process gateway only seeded the store; the real one is a process we can kill
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/server/main.ts'), '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'info'], {
      // The store already has its admin (seeded above): no first-admin password is needed.
      stdio: ['ignore', 'pipe', 'pipe'], env: process.env,
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = out.match(/Listening:\s+[\d.]+:(\d+)/);
          if (match) resolve(Number(match[1]));
        });
        child.once('exit', () => reject(new Error(`gateway exited: ${out}`)));
      });
      const { connect } = await import('../support/clients.ts');
      const { httpsRequestTo, cookieFrom } = await import('../support/http.ts');
      const url = `https://127.0.0.1:${port}`;
      const cookie = cookieFrom(await httpsRequestTo(`${url}/api/auth/login`, { body: { username: 'admin', password: TEST_ADMIN_PASSWORD }, headers: { origin: url } }));
      const camera = await connect(url, 'camera', { auth: { role: 'camera', protocol: 1, apiKey: key } });
      await request(camera, 'camera:publish', { zone: 'CBD-CRASH-01', resumeToken: newResumeToken() });
      const operator = await connect(url, 'operator', { extraHeaders: { cookie } });
      const joined = nextEvent(camera, 'viewer:joined');
      assert.equal((await request(operator, 'zone:watch', { zone: 'CBD-CRASH-01' })).ok, true);
      await joined;
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      camera.close();
      operator.close();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const second = await startGateway({}, dataDir);
    try {
      const crashed = (await auditEntries(second, 'view.ended')).find((e) => e.zone === 'CBD-CRASH-01');
      assert.equal(crashed?.detail.reason, 'server_crash');
      assert.ok((await auditEntries(second, 'publish.ended')).some((e) => e.zone === 'CBD-CRASH-01' && e.detail.reason === 'server_crash'));
      assert.equal(cliVerify(dataDir).status, 0);
    } finally {
      await second.close();
    }
  });
});
