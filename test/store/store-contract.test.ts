import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuditTrail } from '../../src/server/audit/AuditTrail.ts';
import { openPostgresStore } from '../../src/server/store/postgres/openPostgresStore.ts';
import { openSqliteStore } from '../../src/server/store/sqlite/openSqliteStore.ts';
import type { AuditKind } from '../../src/shared/auditCatalogue.ts';
import type { AuditDraft, Store } from '../../src/server/store/types.ts';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startPostgres, type Postgres } from '../support/postgres.ts';

interface Engine {
  name: string;
  /** Two independent connections to one fresh store: two gateway nodes (or a gateway and the CLI). */
  open(): Promise<[Store, Store]>;
  /** SQL run on the last opened store behind its back: what someone with the database file or a login can do. */
  tamper(sql: string): Promise<void>;
}

let postgres: Postgres;
const dirs: string[] = [];
before(async () => { postgres = await startPostgres(); });
after(async () => {
  await postgres?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const engines: Engine[] = [
  {
    name: 'SQLite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
      dirs.push(dir);
      return [openSqliteStore(dir), openSqliteStore(dir)];
    },
    async tamper(sql) {
      const db = new Database(join(dirs.at(-1)!, 'vigil.db'));
      try { db.exec(sql); } finally { db.close(); }
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      pgUrl = await postgres.createDatabase();
      // Both open at once: the migration lock makes one migrate and the other wait.
      return Promise.all([openPostgresStore(pgUrl), openPostgresStore(pgUrl)]);
    },
    async tamper(sql) {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      try { await client.query(sql); } finally { await client.end(); }
    },
  },
];
let pgUrl = '';

const draft = (kind: AuditKind, extra: Partial<AuditDraft> = {}): AuditDraft => ({
  kind, actor: 'alice', actorRole: 'operator', zone: 'CBD-TRAFFIC-01', address: '127.0.0.1', userAgent: 'test', outcome: 'ok', detail: { n: 1 }, ...extra,
});

for (const engine of engines) {
  describe(`store contract: ${engine.name}`, () => {
    let a: Store;
    let b: Store;
    before(async () => { [a, b] = await engine.open(); });
    after(async () => { await a?.close(); await b?.close(); });

    it('keeps people: create, find, update, count admins; usernames are unique', async () => {
      const alice = await a.users.create({ username: 'alice', passwordHash: 'h1', role: 'admin', disabled: false, createdAt: 1_000 });
      assert.deepEqual(alice, { id: alice.id, username: 'alice', passwordHash: 'h1', role: 'admin', disabled: false, createdAt: 1_000 });
      await assert.rejects(a.users.create({ username: 'alice', passwordHash: 'h', role: 'operator', disabled: false, createdAt: 1 }));
      const bob = await b.users.create({ username: 'bob', passwordHash: 'h2', role: 'operator', disabled: false, createdAt: 2_000 });
      assert.deepEqual((await a.users.list()).map((u) => u.username), ['alice', 'bob']);
      assert.equal((await b.users.byUsername('alice'))?.id, alice.id);
      assert.equal(await a.users.byId(9_999), null);
      assert.deepEqual(await a.users.update(bob.id, { role: 'auditor', disabled: true }), { ...bob, role: 'auditor', disabled: true });
      assert.equal(await a.users.count(), 2);
      assert.equal(await a.users.countActiveAdmins(), 1);
    });

    it('keeps sessions: by token hash, touch never goes back, revoke once, revoke all of a person', async () => {
      const user = (await a.users.byUsername('alice'))!;
      const token = randomBytes(32);
      const s = await a.sessions.create({ tokenHash: token, userId: user.id, createdAt: 10, lastSeenAt: 10, expiresAt: 5_000, address: '10.0.0.1', userAgent: 'ua' });
      const s2 = await a.sessions.create({ tokenHash: randomBytes(32), userId: user.id, createdAt: 11, lastSeenAt: 11, expiresAt: 100, address: '10.0.0.1', userAgent: 'ua' });
      assert.equal((await b.sessions.byTokenHash(token))?.id, s.id);
      await b.sessions.touch(s.id, 50);
      await b.sessions.touch(s.id, 40);
      assert.equal((await a.sessions.byId(s.id))?.lastSeenAt, 50);
      assert.deepEqual((await a.sessions.listActive(200)).map((x) => x.id), [s.id], 'the expired one is not active');
      assert.equal(await a.sessions.revoke(s2.id, 60, 'logout'), true);
      assert.equal(await b.sessions.revoke(s2.id, 61, 'logout'), false, 'only once');
      assert.deepEqual(await b.sessions.revokeAllOfUser(user.id, 70, 'password_changed'), [s.id]);
      const revoked = await a.sessions.byId(s.id);
      assert.deepEqual([revoked?.revokedAt, revoked?.revokedReason], [70, 'password_changed']);
    });

    it('keeps grants and camera keys; a key is found by its hash, never shown', async () => {
      const user = (await a.users.byUsername('bob'))!;
      const grant = await a.grants.create({ userId: user.id, pattern: 'CBD-*', control: false, expiresAt: null, createdAt: 5, createdBy: 'alice' });
      await b.grants.create({ userId: user.id, pattern: 'PARK-WEST-02', control: true, expiresAt: 99, createdAt: 6, createdBy: 'alice' });
      assert.deepEqual((await b.grants.ofUser(user.id)).map((g) => g.pattern).sort(), ['CBD-*', 'PARK-WEST-02']);
      assert.equal(await b.grants.remove(grant.id), true);
      assert.equal(await a.grants.remove(grant.id), false);
      assert.deepEqual((await a.grants.list()).map((g) => [g.pattern, g.control, g.expiresAt]), [['PARK-WEST-02', true, 99]]);

      const hash = randomBytes(32);
      const key = await a.keys.create({ label: 'pole 7', zonePattern: 'CBD-*', keyHash: hash, prefix: 'vk_abcd', createdAt: 7, createdBy: 'alice' });
      assert.ok(!('keyHash' in key) && !('key_hash' in key));
      assert.equal((await b.keys.byHash(hash))?.id, key.id);
      await b.keys.markUsed(key.id, 8);
      assert.equal(await a.keys.revoke(key.id, 9), true);
      assert.equal(await b.keys.revoke(key.id, 10), false);
      assert.deepEqual(await a.keys.byId(key.id), { ...key, lastUsedAt: 8, revokedAt: 9 });
    });

    it('keeps WHEP/WHIP tokens: found by their hash, listed newest first, revoked once', async () => {
      const hash = createHash('sha256').update('whep_secret').digest();
      const viewer = await a.mediaTokens.create({ kind: 'viewer', label: 'wall', zonePattern: 'CBD-*', tokenHash: hash, prefix: 'whep_abcdef', expiresAt: 9_000, createdAt: 7, createdBy: 'alice' });
      assert.deepEqual(viewer, { id: viewer.id, kind: 'viewer', label: 'wall', zonePattern: 'CBD-*', prefix: 'whep_abcdef', expiresAt: 9_000, createdAt: 7, createdBy: 'alice', revokedAt: null, lastUsedAt: null });
      const publisher = await b.mediaTokens.create({ kind: 'publisher', label: 'obs', zonePattern: 'PARK-1', tokenHash: randomBytes(32), prefix: 'whip_abcdef', expiresAt: 9_000, createdAt: 8, createdBy: 'alice' });
      await assert.rejects(a.mediaTokens.create({ kind: 'viewer', label: 'dup', zonePattern: '*', tokenHash: hash, prefix: 'whep_x', expiresAt: 1, createdAt: 9, createdBy: 'alice' }));
      assert.equal((await b.mediaTokens.byHash(hash))?.id, viewer.id);
      assert.deepEqual((await a.mediaTokens.list()).map((t) => t.id), [publisher.id, viewer.id]);
      await b.mediaTokens.markUsed(viewer.id, 10);
      assert.equal(await a.mediaTokens.revoke(viewer.id, 11), true);
      assert.equal(await b.mediaTokens.revoke(viewer.id, 12), false);
      assert.deepEqual(await a.mediaTokens.byId(viewer.id), { ...viewer, lastUsedAt: 10, revokedAt: 11 });
      assert.equal(await a.mediaTokens.byId(9_999), null);
    });

    it('keeps video walls per scope: saved again in place, listed by scope, removed', async () => {
      const wall = { scope: 'user:7', name: '', grid: 'auto', zones: ['CBD-01', 'CBD-02'], updatedAt: 10, updatedBy: 'bob', audience: null };
      await a.wallLayouts.save(wall);
      await b.wallLayouts.save({ ...wall, name: 'Night shift', grid: '4', zones: ['PARK-01'] });
      await a.wallLayouts.save({ ...wall, zones: ['CBD-02', 'CBD-01'], updatedAt: 11 });
      await b.wallLayouts.save({ scope: 'shared', name: 'Stadium', grid: '3', zones: ['STADIUM-01'], updatedAt: 12, updatedBy: 'alice', audience: ['ola', 'mia'] });
      assert.deepEqual(await b.wallLayouts.list(['user:7']), [
        { ...wall, zones: ['CBD-02', 'CBD-01'], updatedAt: 11 },
        { ...wall, name: 'Night shift', grid: '4', zones: ['PARK-01'] },
      ]);
      assert.deepEqual((await a.wallLayouts.list(['user:7', 'shared'])).map((l) => `${l.scope}/${l.name}`), ['shared/Stadium', 'user:7/', 'user:7/Night shift']);
      assert.deepEqual(await a.wallLayouts.list(['user:8']), []);
      assert.deepEqual((await a.wallLayouts.list(['shared']))[0]?.audience, ['ola', 'mia'], 'a shared layout keeps who it is for');
      assert.equal(await b.wallLayouts.remove('user:7', 'Night shift'), true);
      assert.equal(await a.wallLayouts.remove('user:7', 'Night shift'), false);
    });

    it('keeps named cameras: an admin\'s details and what was seen of the camera, neither overwriting the other', async () => {
      const details = { name: 'Gate 3 north', location: 'Harbour Rd & 3rd', description: 'Looks north over the gate', group: 'Harbour', latitude: -33.8568, longitude: 151.2153 };
      await a.cameraProfiles.seen('GATE-03-N', 4, 'gate key', 100);
      await b.cameraProfiles.describe('GATE-03-N', details, 110, 'alice');
      await a.cameraProfiles.seen('GATE-03-N', null, null, 120);
      await b.cameraProfiles.describe('PARK-01', { ...details, name: null, latitude: null, longitude: null }, 130, 'alice');
      assert.deepEqual(await b.cameraProfiles.list(), [
        { zone: 'GATE-03-N', ...details, keyId: 4, keyLabel: 'gate key', lastSeenAt: 120, updatedAt: 110, updatedBy: 'alice', masks: [], detection: null, record: false },
        { zone: 'PARK-01', ...details, name: null, latitude: null, longitude: null, keyId: null, keyLabel: null, lastSeenAt: null, updatedAt: 130, updatedBy: 'alice', masks: [], detection: null, record: false },
      ]);
      // Privacy masks: set on their own, kept by a later describe, made with a profile where there was none.
      const window = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.3]] as [number, number][];
      await a.cameraProfiles.setMasks('GATE-03-N', [window], 140, 'bob');
      await b.cameraProfiles.describe('GATE-03-N', details, 150, 'alice');
      await a.cameraProfiles.setMasks('NEW-ZONE-9', [window, window], 160, 'bob');
      const profiles = await b.cameraProfiles.list();
      assert.deepEqual(profiles.find((p) => p.zone === 'GATE-03-N')?.masks, [window]);
      assert.deepEqual(profiles.find((p) => p.zone === 'NEW-ZONE-9')?.masks, [window, window]);
      const detection = { threshold: 30, minArea: 0.01, motionZones: [window], ignoreZones: [] };
      await b.cameraProfiles.setDetection('GATE-03-N', detection, 170, 'bob');
      const detected = (await a.cameraProfiles.list()).find((p) => p.zone === 'GATE-03-N');
      assert.deepEqual([detected?.detection, detected?.masks, detected?.name], [detection, [window], 'Gate 3 north'], 'each kept beside the others');
      await b.cameraProfiles.setRecord('GATE-03-N', true, 180, 'bob');
      await b.cameraProfiles.setRecord('NEW-ZONE-01', true, 180, 'bob');
      const recorded = await b.cameraProfiles.list();
      assert.deepEqual(recorded.filter((p) => p.record).map((p) => p.zone), ['GATE-03-N', 'NEW-ZONE-01'], 'recording kept, a new zone made');
      assert.equal(recorded.find((p) => p.zone === 'GATE-03-N')?.detection?.threshold, 30, 'beside the detection settings');
      await b.cameraProfiles.setRecord('NEW-ZONE-01', false, 190, 'bob');
      assert.equal((await b.cameraProfiles.list()).find((p) => p.zone === 'NEW-ZONE-01')?.record, false);
      assert.equal(await a.cameraProfiles.remove('PARK-01'), true);
      assert.equal(await b.cameraProfiles.remove('PARK-01'), false);
    });

    it('keeps scene events: opened, raised, ended once, acknowledged once, annotated, with their snapshot', async () => {
      const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
      const opened = await a.sceneEvents.create({ zone: 'CBD-SCENE-1', kind: 'motion', camera: 'Pole 7', startedAt: 1_000, score: 0.1 }, jpeg);
      assert.deepEqual(opened, { id: opened.id, zone: 'CBD-SCENE-1', kind: 'motion', camera: 'Pole 7', startedAt: 1_000, endedAt: null, score: 0.1, hasSnapshot: true, acknowledgedBy: null, acknowledgedAt: null, note: null, clipId: null });
      assert.equal((await b.sceneEvents.update(opened.id, { score: 0.05 }))?.score, 0.1, 'the highest score stays');
      assert.equal((await b.sceneEvents.update(opened.id, { score: 0.3, endedAt: 2_000 }))?.endedAt, 2_000);
      assert.equal((await a.sceneEvents.update(opened.id, { endedAt: 9_000 }))?.endedAt, 2_000, 'it ends once');
      assert.equal(await a.sceneEvents.acknowledge(opened.id, 'alice', 3_000), true);
      assert.equal(await b.sceneEvents.acknowledge(opened.id, 'bob', 4_000), false, 'the first acknowledgement stands');
      assert.equal((await b.sceneEvents.annotate(opened.id, 'a delivery van'))?.note, 'a delivery van');
      assert.deepEqual(await b.sceneEvents.snapshot(opened.id), jpeg);
      const other = await b.sceneEvents.create({ zone: 'PARK-2', kind: 'tamper.covered', camera: null, startedAt: 5_000, score: 3 }, null);
      assert.deepEqual((await a.sceneEvents.list({ limit: 10 })).map((e) => e.id), [other.id, opened.id], 'newest first');
      assert.deepEqual((await a.sceneEvents.list({ zone: 'PARK-2', limit: 10 })).map((e) => [e.kind, e.hasSnapshot]), [['tamper.covered', false]]);
      assert.deepEqual((await a.sceneEvents.list({ before: other.id, limit: 10 })).map((e) => e.id), [opened.id]);
      assert.equal(await b.sceneEvents.endOpen(6_000), 1, 'only the one still open');
      assert.equal((await a.sceneEvents.byId(other.id))?.endedAt, 6_000);
      assert.equal((await a.sceneEvents.byId(opened.id))?.acknowledgedBy, 'alice');
    });

    it('keeps IP cameras: one per zone, changed field by field, the password only as sealed', async () => {
      const camera = await a.cameraSources.create({
        zone: 'CBD-POLE-7', name: 'Pole 7', url: 'rtsp://10.0.0.7/stream1', username: 'viewer', sealedPassword: null,
        transport: 'tcp', transcode: false, detect: false, onvifAddress: null, onvifProfile: null, origin: 'admin', createdAt: 7, createdBy: 'alice',
      });
      assert.deepEqual(await b.cameraSources.byId(camera.id), camera);
      await assert.rejects(b.cameraSources.create({ ...camera, name: 'again' }), 'one camera per zone');
      const changed = await b.cameraSources.update(camera.id, { sealedPassword: 'v1.iv.tag.body', transcode: true, detect: true, transport: 'udp', onvifAddress: '10.0.0.7:8080', onvifProfile: 'main' });
      assert.deepEqual(changed, { ...camera, sealedPassword: 'v1.iv.tag.body', transcode: true, detect: true, transport: 'udp', onvifAddress: '10.0.0.7:8080', onvifProfile: 'main' });
      assert.deepEqual(await a.cameraSources.update(camera.id, {}), changed);
      const other = await a.cameraSources.create({ ...camera, zone: 'ALPHA-1', origin: 'config' });
      assert.deepEqual((await b.cameraSources.list()).map((c) => c.zone), ['ALPHA-1', 'CBD-POLE-7']);
      assert.equal(await a.cameraSources.remove(other.id), true);
      assert.equal(await b.cameraSources.remove(other.id), false);
      assert.equal(await b.cameraSources.byId(other.id), null);
    });

    it('chains audit entries written by two nodes at once, with no gap and no fork', async () => {
      const writes = [];
      for (let i = 0; i < 40; i += 1) writes.push((i % 2 ? a : b).audit.append(draft('view.started', { detail: { i } })));
      const records = await Promise.all(writes);
      assert.deepEqual(records.map((r) => r.id).sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i + 1));
      const result = await new AuditTrail(a).verify();
      assert.deepEqual(result, { ok: true, checked: 40, firstBadId: null, reason: null });
    });

    it('filters and pages the trail, opens and closes live activities atomically with their entries', async () => {
      await a.audit.append(draft('login.failure', { actor: 'mallory', outcome: 'denied', zone: null }));
      assert.deepEqual((await b.audit.query({ actor: 'mallory', limit: 10 })).map((r) => r.kind), ['login.failure']);
      const page = await b.audit.query({ kind: 'view.started', limit: 5 });
      assert.deepEqual(page.map((r) => r.id), [40, 39, 38, 37, 36]);
      assert.deepEqual((await b.audit.query({ kind: 'view.started', before: 36, limit: 2 })).map((r) => r.id), [35, 34]);
      const activity = { id: 'act-1', kind: 'view' as const, actor: 'bob', actorRole: 'operator', zone: 'CBD-TRAFFIC-01', address: '10.0.0.2', userAgent: 'ua', startedAt: 123, node: 'n1' };
      await a.audit.append(draft('view.started'), { open: activity });
      assert.deepEqual(await b.audit.liveActivities(), [activity]);
      await b.audit.append(draft('view.ended'), { close: 'act-1' });
      assert.deepEqual(await a.audit.liveActivities(), []);
      let count = 0;
      for await (const record of a.audit.all({ kind: 'view.ended' })) count += record.kind === 'view.ended' ? 1 : 0;
      assert.equal(count, 1);
    });

    it('prunes behind an anchor: the chain still verifies and ids are never reused', async () => {
      const [newest] = await a.audit.query({ limit: 1 });
      // A retention of one day seen from two days ahead: everything goes.
      const pruned = await new AuditTrail(b).prune(1, Date.now() + 2 * 86_400_000);
      assert.equal(pruned, newest!.id);
      assert.equal((await a.audit.anchor())?.lastId, newest!.id);
      const [note] = await a.audit.query({ limit: 1 });
      assert.deepEqual([note!.id, note!.kind], [newest!.id + 1, 'audit.pruned'], 'ids continue after everything was pruned');
      assert.equal((await new AuditTrail(b).verify()).ok, true);
    });

    it('shares the change counter and the login limits between nodes', async () => {
      const seq = await a.changeSeq();
      await b.bumpChangeSeq();
      assert.equal(await a.changeSeq(), seq + 1);
      const options = { keyPrefix: 'contract', points: 2, duration: 60, blockDuration: 60 };
      const [la, lb] = [a.rateLimiter(options), b.rateLimiter(options)];
      await la.consume('mallory|10.0.0.9');
      await lb.consume('mallory|10.0.0.9');
      await assert.rejects(la.consume('mallory|10.0.0.9'), 'the third try is refused, whichever node it reaches');
      assert.equal(await a.ping(), true);
    });

    it('verifies an entry written before entries named their hash format, alongside new ones', async () => {
      const head = (await a.audit.head())!;
      // An old gateway's row: no hash_version column, the positional hash of format 1.
      const old = { id: head.lastId + 1, at: new Date().toISOString(), detail: '{"old":true}' };
      const hash = createHash('sha256').update(JSON.stringify([head.lastHash, old.at, 'login.success', 'olga', 'operator', null, '10.0.0.3', 'old gateway', 'ok', old.detail])).digest('hex');
      await engine.tamper(`
        INSERT INTO audit (id, at, kind, actor, actor_role, zone, address, user_agent, outcome, detail, prev_hash, hash)
          VALUES (${old.id}, '${old.at}', 'login.success', 'olga', 'operator', NULL, '10.0.0.3', 'old gateway', 'ok', '${old.detail}', '${head.lastHash}', '${hash}');
        UPDATE audit_head SET last_id = ${old.id}, last_hash = '${hash}' WHERE id = 1;
      `);
      const next = await b.audit.append(draft('logout', { actor: 'olga' }));
      assert.deepEqual([next.id, next.prevHash, next.hashVersion], [old.id + 1, hash, 1]);
      assert.deepEqual((await a.audit.query({ actor: 'olga', limit: 2 })).map((r) => [r.kind, r.hashVersion, r.detail]), [['logout', 1, { n: 1 }], ['login.success', 1, { old: true }]]);
      assert.equal((await new AuditTrail(a).verify()).ok, true);
    });

    // Last: it leaves the trail broken.
    it('detects the newest entries deleted, before and after the next append', async () => {
      const trail = new AuditTrail(a);
      const kept = await a.audit.append(draft('view.started', { detail: { i: 'kept' } }));
      await a.audit.append(draft('view.ended', { detail: { i: 'doomed 1' } }));
      await a.audit.append(draft('view.ended', { detail: { i: 'doomed 2' } }));
      assert.equal((await trail.verify()).ok, true);
      await engine.tamper(`DELETE FROM audit WHERE id > ${kept.id}`);
      const { ok, firstBadId, reason } = await trail.verify();
      assert.deepEqual({ ok, firstBadId, reason }, { ok: false, firstBadId: kept.id + 1, reason: `entries ${kept.id + 1} to ${kept.id + 2} are missing (the newest were deleted)` });
      // The next entry chains from the head, not from the row that is last now: still reported.
      await b.audit.append(draft('login.success'));
      const later = await trail.verify();
      assert.equal(later.ok, false);
      assert.equal(later.firstBadId, kept.id + 3);
    });
  });
}
