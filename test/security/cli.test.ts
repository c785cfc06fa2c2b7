import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nextEvent, openSocket, request, type TestClient } from '../support/clients.ts';
import { auditEntries, endedBy, handshakeRefusal } from '../support/access.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startOnvifCamera } from '../support/onvifCamera.ts';
import { startRtspCamera } from '../support/rtspCamera.ts';
import { waitFor } from '../support/waitFor.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function vigil(dataDir: string, args: string[], input?: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/server/cli/vigil.ts'), ...args, '--data-dir', dataDir], { encoding: 'utf8', input, env: { ...process.env, ...env } });
  return { status: result.status, out: result.stdout, err: result.stderr };
}

/** The same, without blocking this process (which may be serving what the CLI talks to). */
function vigilAsync(dataDir: string, args: string[], input?: string): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/server/cli/vigil.ts'), ...args, '--data-dir', dataDir]);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('close', (status) => resolve({ status, out, err }));
    child.stdin.end(input ?? '');
  });
}

/** The running gateway picks up the CLI's changes by polling: retry the watch for up to 2 s. */
async function watchSoon(socket: TestClient, zone: string): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < 2_000; await new Promise((resolve) => setTimeout(resolve, 100))) {
    if ((await request(socket, 'zone:watch', { zone })).ok) return true;
  }
  return false;
}

/** The cells of a headed table's lines, split on the runs of spaces that align its columns. */
const cells = (out: string) => out.trimEnd().split('\n').map((line) => line.split(/ {2,}/));

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

  it('unlocks an account that failed sign-ins locked, from the console of the box', async () => {
    const quin = await gw.addUser('quin', 'operator');
    const login = (password: string, from: string) => gw.api('/api/auth/login', { body: { username: 'quin', password }, localAddress: from });
    for (const from of ['127.0.15.1', '127.0.15.2']) for (let i = 0; i < 5; i++) await login(`wrong-guess-${i}-long`, from);
    assert.equal((await login(quin.password, '127.0.15.3')).status, 429, 'locked');
    const unlocked = vigil(gw.dataDir, ['user', 'unlock', 'quin']);
    assert.equal(unlocked.status, 0, unlocked.err);
    assert.equal(unlocked.out.trim(), 'Unlocked quin: failed sign-ins no longer hold the account.');
    assert.equal((await login(quin.password, '127.0.15.1')).status, 200);
    assert.ok((await auditEntries(gw, 'user.unlocked')).some((e) => e.actor === 'cli' && e.detail.user === 'quin'));
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

  it('grants a zone pattern to a person, lists the grant, and revoking it cuts their live view', async () => {
    assert.equal(vigil(gw.dataDir, ['user', 'add', 'pia', '--role', 'operator', '--password-stdin'], 'pia-has-a-long-password\n').status, 0);
    const camera = await gw.connect('camera');
    assert.equal((await request(camera, 'camera:publish', { zone: 'PORT-GATE-01', resumeToken: 'B'.repeat(43) })).ok, true);
    const viewer = await gw.connect('operator', { cookie: await gw.login('pia', 'pia-has-a-long-password') });
    const refused = await request(viewer, 'zone:watch', { zone: 'PORT-GATE-01' });
    assert.equal(!refused.ok && refused.error.code, 'ZONE_FORBIDDEN', 'no grant yet');
    const granted = vigil(gw.dataDir, ['grant', 'add', 'pia', '--zones', 'port-*', '--control', '--expires', new Date(Date.now() + 3_600_000).toISOString()]);
    assert.equal(granted.status, 0, granted.err);
    const id = granted.out.match(/Granted PORT-\* with control to pia until \S+ \(grant (\d+)\)/)?.[1];
    assert.ok(id, granted.out);
    assert.ok(await watchSoon(viewer, 'PORT-GATE-01'), 'the running gateway honours the new grant');
    const [header, ...rows] = cells(vigil(gw.dataDir, ['grant', 'list', 'pia']).out);
    assert.deepEqual(header, ['ID', 'USER', 'PATTERN', 'RIGHTS', 'EXPIRES', 'BY', 'CREATED']);
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[2], r[3], r[5]]), [[id, 'pia', 'PORT-*', 'watch+control', 'cli']]);
    const revoked = nextEvent(viewer, 'zone:revoked', 3_000);
    const removed = vigil(gw.dataDir, ['grant', 'revoke', id!]);
    assert.equal(removed.status, 0, removed.err);
    assert.equal((await revoked).error.code, 'ZONE_FORBIDDEN');
    assert.equal(cells(vigil(gw.dataDir, ['grant', 'list', 'pia']).out).length, 1, 'only the header is left');
    assert.ok((await auditEntries(gw, 'grant.created')).some((e) => e.actor === 'cli' && e.detail.user === 'pia' && e.zone === 'PORT-*' && e.detail.control === true));
    assert.ok((await auditEntries(gw, 'grant.removed')).some((e) => e.actor === 'cli' && e.detail.user === 'pia'));
    const past = vigil(gw.dataDir, ['grant', 'add', 'pia', '--zones', 'PORT-*', '--expires', '2020-01-01T00:00:00Z']);
    assert.equal(past.status, 2);
    assert.match(past.err, /^vigil: --expires must be in the future/);
    assert.equal(vigil(gw.dataDir, ['grant', 'add', 'pia', '--zones', 'not a zone']).status, 2);
    assert.equal(vigil(gw.dataDir, ['grant', 'revoke', '999999']).status, 2);
    camera.close();
    viewer.close();
  });

  it('lists people and keys as headed tables whose columns line up', () => {
    assert.equal(vigil(gw.dataDir, ['key', 'create', '--label', 'Pier 4 north', '--zones', 'PORT-*']).status, 0);
    const users = vigil(gw.dataDir, ['user', 'list']).out.trimEnd().split('\n');
    assert.match(users[0]!, /^ID +USERNAME +ROLE +STATUS +CREATED$/);
    const roleAt = users[0]!.indexOf('ROLE');
    const omar = users.find((line) => /\bomar\b/.test(line));
    assert.ok(omar?.slice(roleAt).startsWith('operator '), 'the ROLE column lines up under its header');
    assert.ok(users.some((line) => /\bnina\b.*\bdisabled\b/.test(line)));
    const keys = vigil(gw.dataDir, ['key', 'list']).out.trimEnd().split('\n');
    assert.match(keys[0]!, /^ID +PREFIX +ZONES +STATUS +LAST USED +LABEL$/);
    const labelAt = keys[0]!.indexOf('LABEL');
    const pier = keys.find((line) => line.includes('Pier 4 north'));
    assert.equal(pier?.indexOf('Pier 4 north'), labelAt, 'LABEL column aligned');
  });

  it('adds, tests, lists and removes an IP camera; the running gateway pulls it; its password only goes in on stdin', async () => {
    const camera = await startRtspCamera('baseline', { user: 'cam', password: 'cam-secret-42' });
    try {
      const tested = vigil(gw.dataDir, ['camera', 'test', '--url', camera.url, '--user', 'cam', '--password-stdin'], 'cam-secret-42\n');
      assert.equal(tested.status, 0, tested.err + tested.out);
      assert.match(tested.out, /h264 Constrained Baseline, 640×360, 30 fps, GOP 2 s, no B-frames: plays as sent/);
      const refused = vigil(gw.dataDir, ['camera', 'test', '--url', camera.url, '--user', 'cam']);
      assert.equal(refused.status, 1);
      assert.match(refused.out, /^auth_failed: /);
      const onvif = await startOnvifCamera({ username: 'cam', password: 'cam-secret-42', streamUri: camera.url });
      const described = await vigilAsync(gw.dataDir, ['camera', 'onvif', `${onvif.host}:${onvif.port}`, '--user', 'cam', '--password-stdin'], 'cam-secret-42\n');
      await onvif.close();
      assert.equal(described.status, 0, described.err + described.out);
      assert.match(described.out, /^Vigil Test Optics VTO-2000 \(firmware 1\.2\.3\)/);
      assert.match(described.out, /profile main \(mainStream\): H264 1280×720 {2}← chosen/);
      assert.ok(described.out.includes(`stream ${camera.url}`));
      assert.equal(vigil(gw.dataDir, ['camera', 'add', '--zone', 'CLI-CAM-1', '--name', 'x', '--url', `rtsp://cam:pw@127.0.0.1:${camera.port}/cam`]).status, 2, 'no credentials in the URL');
      const added = vigil(gw.dataDir, ['camera', 'add', '--zone', 'CLI-CAM-1', '--name', 'Depot gate', '--url', camera.url, '--user', 'cam', '--password-stdin'], 'cam-secret-42\n');
      assert.equal(added.status, 0, added.err);
      const id = Number(added.out.match(/^Camera (\d+)/)?.[1]);
      const listed = vigil(gw.dataDir, ['camera', 'list']);
      assert.deepEqual(cells(listed.out)[1], [String(id), 'CLI-CAM-1', 'Depot gate', camera.url, 'cam', 'yes', 'tcp', 'no', 'no', 'admin']);
      assert.ok(!listed.out.includes('cam-secret-42'));
      await waitFor(() => gw.gateway.cameras.running.ingest(id)?.status === 'live', 'the gateway pulls the camera', { timeoutMs: 15_000 });
      assert.equal(vigil(gw.dataDir, ['camera', 'remove', String(id)]).status, 0);
      await waitFor(() => gw.gateway.cameras.running.ingest(id) === null, 'the gateway stops pulling it', { timeoutMs: 5_000 });
      assert.ok((await auditEntries(gw, 'camera.added')).some((e) => e.actor === 'cli' && e.zone === 'CLI-CAM-1'));
      assert.ok((await auditEntries(gw, 'camera.removed')).some((e) => e.actor === 'cli' && e.zone === 'CLI-CAM-1'));
    } finally {
      await camera.stop();
    }
  });

  it('runs as `npx vigil`: the bin script is executable with a node shebang', () => {
    const bin = join(ROOT, 'scripts', 'vigil.mjs');
    const direct = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    assert.equal(direct.status, 0, direct.stderr);
    assert.match(direct.stdout, /grant add <name> --zones <pattern>/);
  });
});
