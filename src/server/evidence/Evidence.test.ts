import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AuditTrail } from '../audit/AuditTrail.ts';
import { createLogger } from '../observability/logger.ts';
import { openSqliteStore } from '../store/sqlite/openSqliteStore.ts';
import { Evidence } from './Evidence.ts';
import { LocalClipStore } from './ClipStore.ts';

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'vigil-evidence-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('evidence retention', () => {
  it('deletes a camera\'s clips older than its days and past its size, oldest first, never a held one, with each deletion audited', async () => {
    const store = openSqliteStore(join(dir, 'store'));
    const audit = new AuditTrail(store);
    let now = 100 * DAY;
    const evidence = new Evidence({
      store, audit, logger: createLogger('silent'), clips: new LocalClipStore(join(dir, 'clips')), ringsDir: join(dir, 'rings'), ffmpeg: 'ffmpeg',
      settings: { preRollSeconds: 5, postRollSeconds: 5, retentionDays: 30, maxMegabytesPerCamera: 3 }, now: () => now,
    });
    mkdirSync(join(dir, 'clips', 'CBD-1'), { recursive: true });
    const clip = async (ageDays: number, megabytes: number) => {
      const file = `CBD-1/${ageDays}-${megabytes}.mp4`;
      writeFileSync(join(dir, 'clips', file), Buffer.alloc(1));
      return store.evidence.create({ zone: 'CBD-1', eventId: null, camera: null, startedAt: now - ageDays * DAY, endedAt: now - ageDays * DAY + 10_000, file, bytes: megabytes * 1024 * 1024, sha256: 'a'.repeat(64), createdAt: now - ageDays * DAY, createdBy: 'test' });
    };
    const ancient = await clip(40, 1);
    const heldAncient = await clip(39, 1);
    await store.evidence.setHeld(heldAncient.id, true);
    const older = await clip(10, 1);
    const newer = await clip(5, 1);
    const newest = await clip(1, 1);

    // 30 days: the 40-day-old one goes; the held one stays. Then 4 MB left against 3: the oldest unheld (10 days) goes.
    assert.equal(await evidence.enforceRetention('CBD-1'), 2);
    assert.deepEqual((await store.evidence.ofZone('CBD-1')).map((c) => c.id), [heldAncient.id, newer.id, newest.id]);
    assert.equal(existsSync(join(dir, 'clips', ancient.file)), false, 'its file is gone too');
    assert.equal(existsSync(join(dir, 'clips', heldAncient.file)), true);
    const deleted = (await store.audit.query({ kind: 'evidence.deleted', limit: 10 })).map((e) => [e.detail.evidence, e.detail.reason]);
    assert.deepEqual(deleted, [[older.id, 'over 3 MB'], [ancient.id, 'older than 30 days']]);

    // The camera's own retention: 2 days. Time goes on; released from hold, the old one goes too.
    await store.evidence.setRetention('CBD-1', 2, null);
    now += DAY;
    await evidence.hold({ actor: 'admin', actorRole: 'admin', address: null, userAgent: null }, heldAncient.id, false);
    assert.equal(await evidence.enforceRetention('CBD-1'), 2);
    assert.deepEqual((await store.evidence.ofZone('CBD-1')).map((c) => c.id), [newest.id]);
    await store.close();
  });
});
