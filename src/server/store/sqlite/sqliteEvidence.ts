import { toEvidence, type EvidenceRow } from '../rows.ts';
import type { EvidenceRepository } from '../types.ts';
import type { Db } from './openSqliteStore.ts';

export function sqliteEvidence(db: Db): EvidenceRepository {
  const byId = db.prepare<[number], EvidenceRow>('SELECT * FROM evidence WHERE id = ?');
  const read = (id: number) => { const r = byId.get(id); return r ? toEvidence(r) : null; };
  return {
    async create(e) {
      const { lastInsertRowid } = db.prepare(`INSERT INTO evidence (zone, event_id, camera, started_at, ended_at, file, bytes, sha256, created_at, created_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(e.zone, e.eventId, e.camera, e.startedAt, e.endedAt, e.file, e.bytes, e.sha256, e.createdAt, e.createdBy);
      return read(Number(lastInsertRowid))!;
    },
    byId: async (id) => read(id),
    async list({ zone, eventId, before, limit }) {
      return db.prepare<unknown[], EvidenceRow>(`SELECT * FROM evidence WHERE (? IS NULL OR zone = ?) AND (? IS NULL OR event_id = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`)
        .all(zone ?? null, zone ?? null, eventId ?? null, eventId ?? null, before ?? null, before ?? null, limit).map(toEvidence);
    },
    ofZone: async (zone) => db.prepare<[string], EvidenceRow>('SELECT * FROM evidence WHERE zone = ? ORDER BY id').all(zone).map(toEvidence),
    async setHeld(id, held) {
      db.prepare('UPDATE evidence SET held = ? WHERE id = ?').run(held ? 1 : 0, id);
      return read(id);
    },
    remove: async (id) => db.prepare('DELETE FROM evidence WHERE id = ?').run(id).changes > 0,
    async retention(zone) {
      const r = db.prepare<[string], { retention_days: number | null; retention_mb: number | null }>('SELECT retention_days, retention_mb FROM camera_profiles WHERE zone = ?').get(zone);
      return { days: r?.retention_days ?? null, megabytes: r?.retention_mb ?? null };
    },
    async setRetention(zone, days, megabytes) {
      db.prepare(`INSERT INTO camera_profiles (zone, retention_days, retention_mb) VALUES (?, ?, ?)
        ON CONFLICT (zone) DO UPDATE SET retention_days = excluded.retention_days, retention_mb = excluded.retention_mb`).run(zone, days, megabytes);
    },
  };
}
