import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSocket, request } from '../support/clients.ts';
import { auditEntries, endedBy, handshakeRefusal } from '../support/access.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function vigil(dataDir: string, args: string[], input?: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/server/cli/vigil.ts'), ...args, '--data-dir', dataDir], { encoding: 'utf8', input, env: { ...process.env, ...env } });
  return { status: result.status, out: result.stdout, err: result.stderr };
}

describe('vigil CLI against the store of a running gateway', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway(); });
  after(async () => { await gw.close(); });

  it('adds a person whose generated password works, and disabling them cuts their live console', async () => {
    const added = vigil(gw.dataDir, ['user', 'add', 'nina', '--role', 'admin']);
    assert.equal(added.status, 0, added.err);
    const password = added.out.match(/Password \(shown once\): (\S+)/)?.[1];
    assert.ok(password);
    const cookie = await gw.login('nina', password);
    const socket = await gw.connect('operator', { cookie });
    const ended = endedBy(socket);
    assert.equal(vigil(gw.dataDir, ['user', 'disable', 'nina']).status, 0);
    const { code, ms } = await ended;
    assert.equal(code, 'SESSION_REVOKED');
    assert.ok(ms <= 1_500, `cut after ${ms} ms`);
    assert.ok((await auditEntries(gw, 'user.updated')).some((e) => e.actor === 'cli' && e.detail.user === 'nina'));
  });

  it('sets a password from stdin and refuses a short one; a new password ends the old sessions', async () => {
    assert.equal(vigil(gw.dataDir, ['user', 'add', 'omar', '--role', 'operator', '--password-stdin'], 'omar-has-a-long-password\n').status, 0);
    const short = vigil(gw.dataDir, ['user', 'passwd', 'omar', '--password-stdin'], 'short\n');
    assert.equal(short.status, 2);
    assert.match(short.err, /at least 12 characters/);
    const cookie = await gw.login('omar', 'omar-has-a-long-password');
    const changed = vigil(gw.dataDir, ['user', 'passwd', 'omar', '--password-stdin'], 'omar-has-a-newer-password\n');
    assert.equal(changed.status, 0, changed.err);
    await assert.rejects(gw.login('omar', 'omar-has-a-long-password'), /401/, 'the old password no longer works');
    assert.ok(await gw.login('omar', 'omar-has-a-newer-password'), 'the new one does');
    const me = await gw.api('/api/auth/me', { cookie });
    assert.equal(me.status, 401, 'the session signed in with the old password has ended');
    assert.ok((await auditEntries(gw, 'user.updated')).some((e) => e.actor === 'cli' && e.detail.user === 'omar'));
  });

  it('creates a camera key that publishes in its pattern, lists it by prefix only, and revokes it live', async () => {
    const created = vigil(gw.dataDir, ['key', 'create', '--label', 'Gate 3', '--zones', 'cbd-*']);
    assert.equal(created.status, 0, created.err);
    const [, id, secret] = created.out.match(/Key (\d+) for CBD-\* \(shown once\): (vk_\S+)/) ?? [];
    assert.ok(secret);
    const camera = await gw.connect('camera', { apiKey: secret });
    assert.equal((await request(camera, 'camera:publish', { zone: 'CBD-GATE-03', resumeToken: 'A'.repeat(43) })).ok, true);
    const list = vigil(gw.dataDir, ['key', 'list']);
    assert.match(list.out, /Gate 3/);
    assert.equal(list.out.includes(secret), false);
    const ended = endedBy(camera);
    assert.equal(vigil(gw.dataDir, ['key', 'revoke', id!]).status, 0);
    assert.equal((await ended).code, 'KEY_REVOKED');
    assert.equal(await handshakeRefusal(openSocket(gw.url, { role: 'camera', protocol: 1, apiKey: secret })), 'KEY_REVOKED');
  });

  it('prints the effective configuration from every layer, every secret masked', () => {
    const secrets = { VIGIL_TURN_SECRET: 'turn-secret-that-must-not-print', VIGIL_ADMIN_PASSWORD: 'admin-password-never-printed', VIGIL_DATABASE_URL: 'postgres://vigil:db-password-x@db/vigil' };
    const printed = vigil(gw.dataDir, ['config', 'print', '--port', '9443'], undefined, { ...secrets, VIGIL_TURN_URLS: 'turn:turn.city.example:3478', VIGIL_LOG_LEVEL: 'warn' });
    assert.equal(printed.status, 0, printed.err);
    assert.match(printed.out, /port: 9443/, 'a flag');
    assert.match(printed.out, /logLevel: warn/, 'the environment');
    assert.match(printed.out, /turn\.city\.example/);
    for (const secret of [...Object.values(secrets), 'db-password-x']) assert.ok(!printed.out.includes(secret), `${secret} is masked`);
    const help = vigil(gw.dataDir, ['config', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.out, /--port/, 'config --help lists the options');
  });

  it('answers a wrong command or argument with one sentence and exit code 2', () => {
    const wrong = vigil(gw.dataDir, ['user', 'add', 'Bad Name', '--role', 'operator']);
    assert.equal(wrong.status, 2);
    assert.match(wrong.err, /^vigil: Give a username/);
    assert.equal(vigil(gw.dataDir, ['frobnicate']).status, 2);
    assert.equal(vigil(gw.dataDir, ['user', 'disable', 'admin']).status, 2, 'the last admin cannot be disabled');
  });
});
